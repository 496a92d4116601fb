"""How needs look: one card layout for all types, the stylesheet, the CJK font.

A recommendation box shows its ID, text, grade/level, status and the links to
its evidence; a claim shows its quote and the cited source; sphinx-needs drops
rows whose field is empty, so one layout serves every type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

STATIC = Path(__file__).parent / "static"

LAYOUT: dict[str, Any] = {
    "grid": "simple",
    "layout": {
        "head": ['<<meta("type_name")>> <<meta_id()>>: **<<meta("title")>>**'],
        "meta": [
            '<<meta("grade", prefix="Grade: ")>>',
            '<<meta("level", prefix="Level of evidence: ")>>',
            '<<meta("status", prefix="Status: ")>>',
            '<<meta("introduced", prefix="Introduced in edition: ")>>',
            '<<meta("last_reviewed", prefix="Last reviewed: ")>>',
            '<<meta("quote", prefix="Quote: ")>>',
            '<<meta("cite", prefix="Source (bib key): ")>>',
            '<<meta("verification", prefix="Verification: ")>>',
            '<<meta("kind", prefix="Kind: ")>>',
            '<<meta("reliability", prefix="Reliability: ")>>',
            '<<meta("file", prefix="Text on file: ")>>',
            "<<meta_links_all()>>",
        ],
    },
}


def _add_layout(app: Sphinx, config: Config) -> None:
    from sphinx_needs.api import add_need_layout

    add_need_layout(app, "guideline", LAYOUT)
    config.needs_default_layout = "guideline"


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _add_layout, priority=13)
    app.connect("builder-inited", _add_static)


def _add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("guideline.css")
