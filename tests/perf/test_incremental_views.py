"""After editing a need on one page, every page that shows it is rebuilt and current.

sphinx-needs alone leaves needtable pages stale (GUIDE, "Incremental builds");
the extension re-reads every page registered with ``views.mark_as_view``.
"""

from __future__ import annotations

from helpers import build, make_site


def _mtimes(outdir, pages):
    return {page: (outdir / f"{page}.html").stat().st_mtime_ns for page in pages}


def test_editing_a_need_rebuilds_every_view_page(tmp_path):
    g, root = make_site(tmp_path / "site")
    out = tmp_path / "build"
    first = build(root, out, fresh=True)
    assert "overview" in first.view_docs and "traceability" in first.view_docs, first.view_docs
    assert "guideline." not in first.warnings, first.warnings  # the synthetic guideline is valid
    untouched = g.pages[0].name
    before = _mtimes(first.outdir, [*first.view_docs, untouched])

    # One page: a recommendation's title (overview) and a claim's verification
    # (traceability, and the integrity report's counts).
    page = g.pages[-1]
    rec, claim = page.recs[0], page.claims[1]
    assert claim.verification == "unverified"
    path = root / "docs" / f"{page.name}.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"```{{rec}} {rec.title}\n", f"```{{rec}} Edited title of {rec.id}\n")
    text = text.replace(f":id: {claim.id}\n:cite: {claim.source.key}\n:quote: {claim.quote}\n:verification: unverified",
                        f":id: {claim.id}\n:cite: {claim.source.key}\n:quote: {claim.quote}\n:verification: verified")
    path.write_text(text, encoding="utf-8")
    verified_before = first.text("integrity").split("Claims verified ")[1].split(" ")[0] \
        if "integrity" in first.view_docs else None

    second = build(root, out, fresh=False)
    after = _mtimes(second.outdir, [*first.view_docs, untouched])
    stale = sorted(page for page in first.view_docs if after[page] == before[page])
    assert not stale, f"view pages not rebuilt: {stale}"
    assert after[untouched] == before[untouched], "an unrelated page was rebuilt: not incremental"

    assert f"Edited title of {rec.id}" in second.text("overview")
    # The traceability view shows the panel's assertion (permalink ID, then its badge);
    # legacy "verified" reads as "source statement".
    assert f"{claim.id} source statement" in second.text("traceability")
    if "integrity" in first.view_docs:
        verified_after = second.text("integrity").split("Claims verified ")[1].split(" ")[0]
        assert int(verified_after) == int(verified_before) + 1


def test_a_no_op_rebuild_writes_no_view_page(tmp_path):
    _, root = make_site(tmp_path / "site")
    out = tmp_path / "build"
    first = build(root, out, fresh=True)
    before = _mtimes(first.outdir, first.view_docs)
    second = build(root, out, fresh=False)
    assert _mtimes(second.outdir, first.view_docs) == before


def test_a_page_showing_a_need_through_a_role_is_rewritten(tmp_path):
    g, root = make_site(tmp_path / "site", needs=60)
    rec = g.pages[1].recs[0]
    (root / "docs" / "keyrecs.md").write_text(f"# Key recommendations\n\n- {{need}}`{rec.id}`\n", encoding="utf-8")
    index = root / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("overview\n", "overview\nkeyrecs\n", 1),
                     encoding="utf-8")
    out = tmp_path / "build"
    first = build(root, out, fresh=True)
    # The role reads "Recommendation n.m"; the title is its tooltip.
    assert f'title="{rec.id}: {rec.title}"' in first.html("keyrecs")
    unrelated = g.pages[2].name
    before = _mtimes(first.outdir, [unrelated])

    path = root / "docs" / f"{g.pages[1].name}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(f"```{{rec}} {rec.title}\n", "```{rec} A new title\n"),
                    encoding="utf-8")
    second = build(root, out, fresh=False)
    assert f'title="{rec.id}: A new title"' in second.html("keyrecs")
    assert _mtimes(second.outdir, [unrelated]) == before


def test_a_new_link_updates_the_back_links_on_the_target_page(tmp_path):
    g, root = make_site(tmp_path / "site", needs=60)
    out = tmp_path / "build"
    first = build(root, out, fresh=True)
    target = g.pages[0].claims[3]  # on the first page, linked from that page only
    rec = g.pages[2].recs[0]
    assert f'title="{rec.id}:' not in first.html(g.pages[0].name)

    path = root / "docs" / f"{g.pages[2].name}.md"
    old = f":based_on: {', '.join(rec.based_on)}\n"
    path.write_text(path.read_text(encoding="utf-8").replace(old, old.rstrip("\n") + f", {target.id}\n"),
                    encoding="utf-8")
    second = build(root, out, fresh=False)
    # the claim card lists the new recommendation it supports (in words; the ID is the link's tooltip)
    assert f'title="{rec.id}:' in second.html(g.pages[0].name)
