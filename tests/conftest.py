"""Shared fixtures: small Sphinx projects built from tests/roots, and one build of docs/."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"


@dataclass
class BuiltProject:
    srcdir: Path
    outdir: Path
    warnings: str
    status: str

    @property
    def needs(self) -> dict:
        data = json.loads((self.outdir / "needs.json").read_text(encoding="utf-8"))
        version = data["current_version"]
        return data["versions"][version]["needs"]

    def html(self, page: str = "index") -> str:
        return (self.outdir / f"{page}.html").read_text(encoding="utf-8")


def copy_root(name: str, dest: Path) -> Path:
    """A test root is tests/roots/common plus tests/roots/test-<name> on top."""
    shutil.copytree(ROOTS / "common", dest, dirs_exist_ok=True)
    shutil.copytree(ROOTS / f"test-{name}", dest, dirs_exist_ok=True)
    return dest


def build_sphinx(srcdir: Path, outdir: Path | None = None, freshenv: bool = True,
                 confoverrides: dict | None = None) -> BuiltProject:
    status, warning = io.StringIO(), io.StringIO()
    outdir = outdir or srcdir / "_build" / "html"
    app = SphinxTestApp("html", srcdir=srcdir, builddir=outdir.parent, status=status,
                        warning=warning, freshenv=freshenv, confoverrides=confoverrides)
    try:
        app.build()
    finally:
        app.cleanup()
    return BuiltProject(srcdir, Path(app.outdir), warning.getvalue(), status.getvalue())


@pytest.fixture
def build_root(tmp_path):
    """Build the named test root in a temporary folder; returns a BuiltProject."""

    def _build(name: str) -> BuiltProject:
        return build_sphinx(copy_root(name, tmp_path / name))

    return _build


@pytest.fixture(scope="session")
def guideline_html(tmp_path_factory) -> Path:
    """One -W build of the real guideline (docs/) per test session, outside the work tree."""
    from guideline.build import sphinx_html

    out = tmp_path_factory.mktemp("guideline") / "html"
    sphinx_html(REPO / "docs", out, quiet=True)
    return out


@pytest.fixture(scope="session")
def guideline_pdfs(tmp_path_factory) -> dict[str, Path]:
    """The working tree's full PDF and handout (as Read the Docs builds them), once per session."""
    pytest.importorskip("weasyprint")
    from guideline.editions.pdf import build_pdfs, copy_content

    base = tmp_path_factory.mktemp("guideline-pdf")
    return build_pdfs(copy_content(REPO, base / "content"), base, "guideline")


@pytest.fixture(scope="session")
def edition_clone(tmp_path_factory) -> Path:
    """A local clone of this repository with its edition registry, for building registered editions."""
    import subprocess

    from guideline.editions import registry

    if not (REPO / "docs" / "editions.toml").is_file() or not registry.load(REPO):
        pytest.skip("no edition is registered")
    clone = tmp_path_factory.mktemp("editions") / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(REPO), str(clone)], check=True)
    (clone / "docs").mkdir()
    shutil.copyfile(REPO / "docs" / "editions.toml", clone / "docs" / "editions.toml")
    if (REPO / "docs" / "editions.lock.json").is_file():  # the seal: the clone's builds must match its sources
        shutil.copyfile(REPO / "docs" / "editions.lock.json", clone / "docs" / "editions.lock.json")
    return clone


@pytest.fixture(scope="session")
def built_edition(edition_clone):
    """build(edition id) -> its folder; each registered edition is built at most once per session."""
    from guideline.editions import build

    built: dict[str, Path] = {}

    def _build(edition_id: str) -> Path:
        if edition_id not in built:
            built[edition_id] = build.build_edition(edition_clone, edition_id).path
        return built[edition_id]

    return _build


@pytest.fixture(scope="session")
def latest_edition(edition_clone, built_edition) -> Path:
    """The folder of the latest registered edition (HTML, full PDF, handout), built once."""
    from guideline.editions import registry

    return built_edition(max(registry.load(edition_clone), key=lambda e: e.key).id)
