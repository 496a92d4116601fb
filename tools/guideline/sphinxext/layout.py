"""The stylesheet, the CJK font, and sphinx-needs' fallback layout.

Recommendations, claims, sources and gaps are drawn as cards by
:mod:`guideline.presentation.card`; this layout only serves a need type the
presentation layer does not know (and sphinx-needs' own tables). It shows words,
never a bib key or a file path.
"""

from __future__ import annotations

import functools
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
            '<<meta("strength", prefix="Strength: ")>>',
            '<<meta("direction", prefix="Direction: ")>>',
            '<<meta("certainty", prefix="Certainty of evidence: ")>>',
            '<<meta("paradigm", prefix="Paradigmatic situation: ")>>',
            '<<meta("status", prefix="Status: ")>>',
            '<<meta("introduced", prefix="Introduced in edition: ")>>',
            '<<meta("last_reviewed", prefix="Last reviewed: ")>>',
            '<<meta("quote", prefix="Quote: ")>>',
            '<<meta("assertion", prefix="Panel assertion: ")>>',
            '<<meta("verification", prefix="Verification: ")>>',
            '<<meta("kind", prefix="Kind: ")>>',
            '<<meta("reliability", prefix="Reliability: ")>>',
            "<<meta_links_all()>>",
        ],
    },
}


def _add_layout(app: Sphinx, config: Config) -> None:
    from sphinx_needs.api import add_need_layout

    add_need_layout(app, "guideline", LAYOUT)
    config.needs_default_layout = "guideline"


def _memoise_layout_functions() -> None:
    """Parse each ``<<meta(...)>>`` of the layout once, not once per need.

    sphinx-needs runs ``ast.parse`` on every layout function of every need card
    (13 per card here): about a third of the card rendering time. The parse
    depends only on the string, and the layout code only reads the result.
    """
    from sphinx_needs.functions.functions import DynamicFunctionParsed

    if getattr(DynamicFunctionParsed.from_string, "guideline_memoised", False):
        return
    parse = DynamicFunctionParsed.from_string

    @functools.lru_cache(maxsize=1024)
    def from_string(func_string: str, *, allow_need: bool = False) -> DynamicFunctionParsed:
        return parse(func_string, allow_need=allow_need)

    from_string.guideline_memoised = True  # type: ignore[attr-defined]
    DynamicFunctionParsed.from_string = staticmethod(from_string)  # type: ignore[method-assign]


def setup(app: Sphinx) -> None:
    _memoise_layout_functions()
    app.connect("config-inited", _add_layout, priority=13)
    app.connect("builder-inited", _add_static)


def _add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("guideline.css")
