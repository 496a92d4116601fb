"""The content of an edition, exported from its source commit (never the working tree).

``git archive <commit> docs seeds references.bib`` into a temporary folder: it
reads the object store only, so it neither touches the working tree nor the
index of the people working in it. The toolchain is the installed one (an old
commit may predate the PDF engine); both commits go into the manifest.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from ..errors import GuidelineError
from .pdf import CONTENT_PATHS

REGISTRY_FILE = "docs/editions.toml"


def _git(repo: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False,
                              text=not binary)
    except FileNotFoundError:
        raise GuidelineError(str(repo), 0, "edition.no-git", "git is not installed") from None


def resolve_commit(repo: Path, commit: str, edition_id: str = "") -> str:
    """The full id of ``commit``; a clear error when the repository does not have it."""
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    if done.returncode != 0:
        what = f"edition {edition_id}: " if edition_id else ""
        raise GuidelineError(REGISTRY_FILE, 0, "edition.unknown-commit",
                             f"{what}commit {commit} is not in this repository",
                             "fetch it (git fetch --all) or correct the commit in docs/editions.toml")
    return done.stdout.strip()


def export(repo: Path, commit: str, dest: Path) -> Path:
    """Write docs/, seeds/ and references.bib as they are in ``commit`` into ``dest``."""
    listed = _git(repo, "ls-tree", "--name-only", commit)
    present = [p for p in CONTENT_PATHS if p in listed.stdout.split()]
    if "docs" not in present:
        raise GuidelineError(REGISTRY_FILE, 0, "edition.no-content", f"commit {commit[:12]} has no docs/ folder")
    archive = _git(repo, "archive", "--format=tar", commit, "--", *present, binary=True)
    if archive.returncode != 0:
        raise GuidelineError(REGISTRY_FILE, 0, "edition.export-failed",
                             f"git archive {commit[:12]} failed: {archive.stderr.decode(errors='replace').strip()}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def toolchain_state() -> dict[str, object]:
    """The commit of the repository the installed toolchain comes from (if it is one)."""
    import guideline

    package = Path(guideline.__file__).resolve().parent
    repo = package.parent.parent
    head = _git(repo, "rev-parse", "HEAD")
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    dirty = _git(repo, "status", "--porcelain", "--", str(package.relative_to(repo)), "pyproject.toml")
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
