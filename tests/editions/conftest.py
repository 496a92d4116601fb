"""Tiny git repositories with a fixture guideline and an edition registry, made in tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOTS = Path(__file__).resolve().parent.parent / "roots"
CHINESE = "多发性骨髓瘤仍然无法治愈。"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


class FixtureRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"

    def commit(self, message: str) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        return git(self.root, "rev-parse", "HEAD")

    def set_rec_text(self, text: str, grade: str = "A") -> None:
        page = self.docs / "index.md"
        body = page.read_text(encoding="utf-8")
        start = body.index(":based_on: CLM_SMITH_01\n") + len(":based_on: CLM_SMITH_01\n\n")
        end = body.index("\n```", start)
        body = body[:start] + text + body[end:]
        body = body.replace(":grade: A", f":grade: {grade}").replace(":grade: C", f":grade: {grade}")
        page.write_text(body, encoding="utf-8")

    def registry(self, *editions: tuple[str, str, str, str]) -> None:
        """(id, date, status, commit) tables; written to the working tree, not committed."""
        text = "".join(f'[[edition]]\nid = "{i}"\ndate = "{d}"\nstatus = "{s}"\ncommit = "{c}"\n'
                       f'summary = "Edition {i} for the tests."\n\n' for i, d, s, c in editions)
        (self.docs / "editions.toml").write_text(text, encoding="utf-8")

    @property
    def editions(self) -> Path:
        return self.root / "build" / "editions"


@pytest.fixture
def fixture_repo(tmp_path) -> FixtureRepo:
    """A repository whose docs/ is the model-ok fixture (seeds inside docs/), one commit."""
    root = tmp_path / "repo"
    docs = root / "docs"
    shutil.copytree(ROOTS / "common", docs)
    shutil.copytree(ROOTS / "test-model-ok", docs, dirs_exist_ok=True)
    # Chinese from the shipped seeds, so every character is in the bundled font subset.
    (docs / "seeds" / "smith.txt").write_text(
        "A trial of something showed a benefit in 12 of 20 patients.\n" + CHINESE + "\n", encoding="utf-8")
    (docs / "whats-new.md").write_text("# What's new\n\nPanel notes.\n", encoding="utf-8")
    index = docs / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("refs\nviews\n", "refs\nviews\nwhats-new\n"),
                     encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    git(root, "config", "user.email", "tests@example.org")
    git(root, "config", "user.name", "Tests")
    (root / ".gitignore").write_text("build/\n.guideline-cache/\n", encoding="utf-8")
    repo = FixtureRepo(root)
    repo.first = repo.commit("first edition")
    return repo
