"""Small synthetic guidelines (benchmarks/synth.py) built in-process for the perf tests."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from sphinx.testing.util import SphinxTestApp

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import synth  # noqa: E402


@dataclass
class Build:
    outdir: Path
    warnings: str
    view_docs: set[str]
    view_blocks: tuple[int, int] = (0, 0)  # view blocks (from the store, rendered) in this build

    def html(self, page: str) -> str:
        return (self.outdir / f"{page}.html").read_text(encoding="utf-8")

    def text(self, page: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html(page)))


def make_site(root: Path, needs: int = 40) -> tuple[synth.Guideline, Path]:
    g = synth.make_guideline(needs)
    return g, synth.write_site(g, "project", root)


def build(root: Path, out: Path, *, fresh: bool, overrides: dict | None = None, force_all: bool = False) -> Build:
    from guideline.sphinxext.viewcache import CACHE_ATTR
    from guideline.sphinxext.views import VIEW_DOCS_KEY

    warning = io.StringIO()
    app = SphinxTestApp("html", srcdir=root / "docs", builddir=out, status=io.StringIO(), warning=warning,
                        freshenv=fresh, confoverrides=overrides or {})
    try:
        app.build(force_all=force_all)
        views = set(getattr(app.env, VIEW_DOCS_KEY))
        blocks = getattr(app.builder, CACHE_ATTR, None)
    finally:
        app.cleanup()
    return Build(Path(app.outdir), warning.getvalue(), views, (blocks.hits, blocks.misses) if blocks else (0, 0))
