"""The shipped guideline builds with -W and says what it is."""

from __future__ import annotations

import json
import re


def _needs(html_dir):
    data = json.loads((html_dir / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]


def test_build_writes_every_need_type(guideline_html):
    needs = _needs(guideline_html)
    types = {need["type"] for need in needs.values()}
    assert {"rec", "claim", "source"} <= types
    assert (guideline_html / "index.html").is_file()


def test_every_page_states_it_is_not_official_or_medical_advice(guideline_html):
    pages = list(guideline_html.rglob("*.html"))
    assert pages
    for page in pages:
        # index/search pages and sphinx-needs' permalink redirect carry no guideline text
        if page.name in {"genindex.html", "search.html", "permalink.html"}:
            continue
        text = page.read_text(encoding="utf-8")
        assert re.search(r"not an official IMWG publication\s+and not medical advice", text), page


def test_chinese_abstract_is_marked_as_chinese(guideline_html):
    pages = [p.read_text(encoding="utf-8") for p in guideline_html.rglob("*.html")]
    assert any(re.search(r'lang="zh-cn">[^<]*多发性骨髓瘤', page) for page in pages)
