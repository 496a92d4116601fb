"""View blocks written from stored HTML are byte for byte what rendering them gives.

After each kind of edit, the view pages of an incremental build that reuses
stored blocks (``viewcache``) are compared with a fresh build that renders every
block (``guideline_view_cache = False``). Each edit changes an input of some
blocks in a different way: a recommendation's own title, a claim on another page
that a recommendation rests on, a source's reliability, the successor named in the
overview's "no longer in force" table, the numbering of a chapter.
"""

from __future__ import annotations

import json

import pytest
from helpers import build, make_site

VIEW_PAGES = ("overview", "traceability")


def _replace(root, page, old, new):
    path = root / "docs" / f"{page.name}.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _rec_title(g, root):
    rec = g.pages[1].recs[1]
    _replace(root, g.pages[1], f"```{{rec}} {rec.title}\n", "```{rec} An edited recommendation title\n")
    return "An edited recommendation title"


def _claim_on_previous_page(g, root):
    # Recommendations on page 5 rest on claims of page 4: a claim of page 4 changes page 5's blocks.
    claim = g.pages[3].claims[0]
    _replace(root, g.pages[3], f"```{{claim}} {claim.title}\n:id: {claim.id}\n",
             f"```{{claim}} An edited claim title\n:id: {claim.id}\n")
    return "An edited claim title"


def _source_reliability(g, root):
    source = g.pages[4].sources[0]
    _replace(root, g.pages[4], f":id: {source.id}\n:cite: {source.key}\n:kind: {source.kind}\n:reliability: {source.reliability}\n",
             f":id: {source.id}\n:cite: {source.key}\n:kind: {source.kind}\n:reliability: unreliable\n")
    return "unreliable"


def _successor_title(g, root):
    page = g.pages[4]
    successor = next(r for r in page.recs if r.supersedes)
    _replace(root, page, f"```{{rec}} {successor.title}\n", "```{rec} An edited successor title\n")
    return "An edited successor title"


def _new_first_recommendation(g, root):
    page = g.pages[2]
    first = page.recs[0]
    claim = page.claims[0]
    new = (f"```{{rec}} A recommendation written first in its chapter\n:id: REC_NEW_01\n:grade: C\n:level: V\n"
           f":status: approved\n:introduced: 2026.1\n:last_reviewed: 2026-10-10\n:based_on: {claim.id}\n\n"
           f"A recommendation written first in its chapter. {{cite:p}}`{claim.source.key}`\n```\n\n")
    _replace(root, page, f"```{{rec}} {first.title}\n", new + f"```{{rec}} {first.title}\n")
    return "A recommendation written first in its chapter"


EDITS = [_rec_title, _claim_on_previous_page, _source_reliability, _successor_title, _new_first_recommendation]


@pytest.fixture
def site(tmp_path):
    g, root = make_site(tmp_path / "site", needs=100)
    out = tmp_path / "cached"
    first = build(root, out, fresh=True)
    assert first.view_blocks[1] > 0 and not first.view_blocks[0], first.view_blocks
    return g, root, out


def test_stored_blocks_give_the_html_of_rendered_ones_after_every_kind_of_edit(site, tmp_path):
    g, root, out = site
    for number, edit in enumerate(EDITS):
        shown = edit(g, root)
        cached = build(root, out, fresh=False)
        rendered = build(root, tmp_path / f"rendered-{number}", fresh=True, overrides={"guideline_view_cache": False})
        hits, misses = cached.view_blocks
        assert hits > misses > 0, (edit.__name__, cached.view_blocks)  # most blocks came from the store
        assert rendered.view_blocks == (0, 0)  # nothing stored or looked up with the cache off
        assert shown in cached.html("traceability") or shown in cached.html("overview"), edit.__name__
        for page in VIEW_PAGES:
            assert cached.html(page) == rendered.html(page), f"{page} differs after {edit.__name__}"


def test_a_changed_toolchain_renders_every_block_again(site, monkeypatch):
    from guideline.sphinxext import viewcache

    g, root, out = site
    _rec_title(g, root)
    monkeypatch.setattr(viewcache, "_CODE", ["another version of the presentation code"])
    again = build(root, out, fresh=False)
    assert again.view_blocks[0] == 0 and again.view_blocks[1] > 0, again.view_blocks


def _foreign_database(path):
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()


def _older_format(path):
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()


DAMAGE = {
    "empty file": lambda path: path.write_bytes(b""),
    "not a database": lambda path: path.write_bytes(b"certainly not SQLite " * 200),
    "cut in half": lambda path: path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2]),
    "another database": lambda path: (path.unlink(), _foreign_database(path)),
    "another format": _older_format,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_means_rendering_again(site, damage):
    g, root, out = site
    store = next(out.rglob("guideline-view-blocks.sqlite3"))
    DAMAGE[damage](store)
    _rec_title(g, root)
    again = build(root, out, fresh=False)
    assert not again.warnings.count("Traceback"), again.warnings
    assert "An edited recommendation title" in again.html("overview")
    # Nothing usable was stored, or the blocks still held are those of this edit's inputs.
    rendered = build(root, out.parent / "rendered", fresh=True, overrides={"guideline_view_cache": False})
    for page in VIEW_PAGES:
        assert again.html(page) == rendered.html(page), (damage, page)
    third = build(root, out, fresh=False, force_all=True)  # the store works again afterwards
    assert third.view_blocks[0] > 0 and third.view_blocks[1] == 0, (damage, third.view_blocks)


def test_a_page_keeps_only_the_blocks_it_shows(site):
    import sqlite3

    g, root, out = site
    store = next(out.rglob("guideline-view-blocks.sqlite3"))

    def counts():
        db = sqlite3.connect(store)
        try:
            return dict(db.execute("SELECT page, count(*) FROM blocks GROUP BY page").fetchall())
        finally:
            db.close()

    before = counts()
    assert before["traceability"] == sum(len(p.recs) for p in g.pages), before
    _rec_title(g, root)
    build(root, out, fresh=False)
    assert counts() == before  # the edited block replaced its old self


def test_view_blocks_are_not_in_the_search_index(site):
    from sphinx.search.en import SearchEnglish

    g, root, out = site
    rec = g.pages[0].recs[0]
    word = "hydroxyzine"  # in no other title, heading or text of the site
    _replace(root, g.pages[0], f"```{{rec}} {rec.title}\n", f"```{{rec}} Consider {word} for pruritus\n")
    built = build(root, out, fresh=False)
    assert word in built.html("traceability") and word in built.html("overview")
    index = built.outdir.joinpath("searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1:index.rindex(")")])
    docnames, terms = data["docnames"], data["terms"]
    stem = SearchEnglish({}).stem(word).lower()
    assert stem in terms, (word, stem)
    pages = {docnames[i] for i in _as_list(terms[stem])}
    # Found on the chapter page where the recommendation lives, not on the pages that show everything;
    # the view pages themselves are still in the index (their own text).
    assert g.pages[0].name in pages, pages
    assert "traceability" not in pages and "overview" not in pages, (word, pages)
    assert "traceability" in docnames and "overview" in docnames


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_another_file_suffix_renders_every_block_again(site):
    """Links in a block name other pages' files: a new suffix must not reuse the old links."""
    g, root, out = site
    again = build(root, out, fresh=False, force_all=True, overrides={"html_file_suffix": ".htm"})
    assert again.view_blocks[0] == 0 and again.view_blocks[1] > 0, again.view_blocks
    assert 'href="chapters/p0001.htm#' in (again.outdir / "traceability.htm").read_text(encoding="utf-8")
