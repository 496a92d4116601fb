"""The guideline views render from the needs of all pages and stay current."""

from __future__ import annotations

import re

from conftest import build_sphinx, copy_root


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_summary_traceability_grading_and_seed_text(build_root):
    built = build_root("model-ok")
    page = built.html("views")
    text = _text(page)
    # overview, by chapter: number, title, rating badge, status, edition
    assert re.search(r"1 Ok No\. Recommendation Rating Status Since 1\.1 Use it Grade A · Level I In force 2024\.1",
                     text), text
    # traceability in words: rec -> claim (panel assertion; legacy "verified" = the source's statement)
    # -> source (reliability) -> numbered reference
    assert re.search(r"Benefit shown CLM_SMITH_01 source statement Smith trial high \[1\]", text), text
    assert re.search(r'href="refs\.html#cite-smith2022"[^>]*>\[1\]</a>', page), page
    assert "Smith2022" not in text  # the bib key is an anchor, never visible
    assert page.count('<svg class="evidence-graph"') == 1 and "Claim · source statement" in page
    assert 'id="cite-smith2022"' in built.html("refs")
    # grading scheme from guideline.toml
    assert "Randomised evidence." in text and "Strongly recommended." in text
    # seed text: verbatim, Chinese paragraph marked with its language
    assert "A trial of something showed a benefit in 12 of 20 patients." in text
    assert re.search(r'<p class="[^"]*" lang="zh-cn">这是中文的段落。</p>', page), page


def test_rec_card_number_and_text_first_layers_on_demand(build_root):
    page = build_root("model-ok").html("index")
    text = _text(page)
    card = page[page.index('id="REC_USE_01"'):]
    # number, rating badge (meaning as tooltip), permalink, then the text; no metadata table, no status in force
    assert re.search(r'<span class="card-number">Recommendation 1\.1</span> <abbr class="badge rating-badge" '
                     r'title="Grade A: Strongly recommended\. Level I: Randomised evidence\.">Grade A · Level I</abbr>',
                     card), card[:800]
    assert card.index("card-number") < card.index("Do the thing.") < card.index("<details")
    assert "Status: approved" not in text and "card-status" not in card.split("</div>")[0]
    # evidence layer: claim in words, its quote, source name and reliability, numbered reference
    evidence = card[card.index('layer-evidence'):]
    assert "Benefit shown" in evidence and "\u201ca benefit in 12 of 20 patients\u201d" in evidence
    assert "Smith trial" in evidence and "high reliability" in evidence and ">[1]</a>" in evidence
    assert "Introduced in edition 2024.1." in card


def test_editing_a_need_rebuilds_the_pages_that_show_it(tmp_path):
    """sphinx-needs alone leaves overview pages stale; the extension must not."""
    src = copy_root("model-ok", tmp_path / "proj")
    out = src / "_build" / "html"
    build_sphinx(src, out)
    page = src / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("```{rec} Use it", "```{rec} Use it wisely"),
                    encoding="utf-8")
    second = build_sphinx(src, out, freshenv=False)
    assert "views" in second.status  # the view page was written again
    assert re.search(r"1\.1 Use it wisely Grade A", _text((out / "views.html").read_text(encoding="utf-8")))


def test_seed_text_outside_seeds_is_refused(tmp_path):
    src = copy_root("model-ok", tmp_path / "proj")
    (src / "views.md").write_text("# V\n\n```{seed-text} conf.py\n```\n", encoding="utf-8")
    built = build_sphinx(src)
    assert "conf.py is not a file under seeds/" in built.warnings
