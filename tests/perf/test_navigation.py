"""The per-build navigation tree is byte for byte furo's per-page one, on every page."""

from __future__ import annotations

import furo
import pytest

from guideline.sphinxext.navigation import NavigationTemplate

from conftest import build_sphinx, copy_root


def _compare_with_furo(app):
    """Record, for every page, furo's own tree next to the one the page got."""
    seen = {}

    def compare(app, pagename, templatename, context, doctree):
        original = furo._compute_navigation_tree.original
        seen[pagename] = (original(context), context["furo_navigation_tree"])

    app.connect("html-page-context", compare, priority=900)
    return seen


def test_every_page_gets_furos_tree(tmp_path, monkeypatch):
    srcdir = copy_root("navigation", tmp_path / "navigation")
    seen: dict = {}
    import guideline.sphinxext as ext

    real_setup = ext.setup

    def setup(app):
        result = real_setup(app)
        seen.update({"pages": _compare_with_furo(app)})
        return result

    monkeypatch.setattr(ext, "setup", setup)
    built = build_sphinx(srcdir, confoverrides={"html_theme": "furo"})
    pages = seen["pages"]
    assert {"index", "part/index", "part/one", "part/deep/leaf", "other", "orphan", "genindex"} <= set(pages)
    for page, (expected, got) in pages.items():
        assert got == expected, page
    # The fixture exercises what the template must handle: nesting, a current branch, a link outside.
    leaf = pages["part/deep/leaf"][1]
    assert 'class="toctree-l3 current current-page"' in leaf and 'checked=""' in leaf
    assert 'href="https://example.org/outside"' in leaf
    assert "&amp;" in leaf
    assert "WARNING" not in built.warnings


def test_template_marks_each_place_a_page_is_listed():
    html = ('<ul><li class="toctree-l1 has-children"><a class="reference internal" href="a.html">A</a>'
            '<input class="toctree-checkbox" id="c1" type="checkbox"/><ul>'
            '<li class="toctree-l2"><a class="reference internal" href="b.html">B</a></li></ul></li>'
            '<li class="toctree-l1"><a class="reference internal" href="b.html">B again</a></li></ul>')
    template = NavigationTemplate.parse(html, {"a.html": "a", "b.html": "b"})
    out = template.render("b", lambda doc: f"../{doc}.html")
    assert out.count('class="current reference internal" href="#"') == 2
    assert '<li class="toctree-l1 current has-children">' in out and 'checked=""' in out
    assert '<li class="toctree-l1 current current-page">' in out
    assert 'href="../a.html"' in out
    # A page that is not listed changes only the links.
    assert "current" not in template.render("zzz", lambda doc: f"{doc}.html")
