"""The bib speed-ups (cached plugin look-ups, indexed citations) give the same HTML as
sphinxcontrib-bibtex's own path."""

from __future__ import annotations

import re

from helpers import build, make_site

from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.transforms import BibliographyTransform

from guideline.sphinxext import bibcache

# Need containers and some theme elements carry per-build random ids.
_RANDOM_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")


def _pages(built, pages):
    return {page: _RANDOM_ID.sub("<id>", built.html(page)) for page in pages}


def test_bib_cache_gives_identical_html(tmp_path):
    g, root = make_site(tmp_path / "site")
    pages = ["references", "traceability", *(p.name for p in g.pages)]
    # Citations in the bibliography's own document: their citations get back-references.
    first, second = g.sources[0].key, g.sources[1].key
    references = root / "docs" / "references.md"
    references.write_text(references.read_text(encoding="utf-8").replace(
        "# References\n", f"# References\n\nCited here {{cite:p}}`{first}`, again {{cite:p}}`{first}` "
                          f"and {{cite:p}}`{second}`.\n", 1), encoding="utf-8")

    build(root, tmp_path / "cached", fresh=True)
    assert bibcache.is_installed()
    assert bibcache._bibliography_runs["indexed"] > 0  # the transform had only the bibliography page's references
    assert bibcache._cached_entry_points.cache_info().hits > 0  # the look-ups were answered from the cache
    assert BibtexDomain.get_filtered_entries is bibcache._filtered_entries
    assert hasattr(BibliographyTransform.run, "guideline_original")
    # A second build over the same environment reuses the formatted entries of the first.
    cached = build(root, tmp_path / "cached", fresh=False, force_all=True)
    assert len(bibcache._formatted["now"]) == len(g.sources) and bibcache._formatted["formatted"] == 0

    uncached = build(root, tmp_path / "uncached", fresh=True, overrides={"guideline_bib_cache": False})
    assert not bibcache.is_installed()
    assert not hasattr(BibtexDomain.resolve_xref, "guideline_original")  # the original methods are back
    assert not hasattr(BibliographyTransform.run, "guideline_original")

    expected = _pages(uncached, pages)
    assert "cite-" in expected["references"]
    # Two back-references for the key cited twice on the page, one for the other.
    backlinks = re.findall(r'<a role="doc-backlink"', expected["references"])
    assert len(backlinks) == 3, expected["references"]
    assert _pages(cached, pages) == expected
