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
    # overview: ID, title, rating (guideline.grading.rating_badge), status, edition
    assert re.search(r"REC_USE_01 Use it Grade A · Level I approved 2024\.1", text), text
    # traceability: rec -> claim (panel assertion; legacy "verified" = the source's statement)
    # -> source (reliability) -> reference anchor
    assert re.search(r"REC_USE_01 CLM_SMITH_01 \(source statement\) SRC_SMITH \(high\) Smith2022", text), text
    assert 'href="refs.html#cite-smith2022"' in page
    assert 'id="cite-smith2022"' in built.html("refs")
    # grading scheme from guideline.toml
    assert "Randomised evidence." in text and "Strongly recommended." in text
    # seed text: verbatim, Chinese paragraph marked with its language
    assert "A trial of something showed a benefit in 12 of 20 patients." in text
    assert re.search(r'<p class="[^"]*" lang="zh-cn">这是中文的段落。</p>', page), page


def test_rec_box_shows_grade_status_and_evidence_link(build_root):
    text = _text(build_root("model-ok").html("index"))
    for expected in ("Grade: A", "Level of evidence: I", "Status: approved", "based on: CLM_SMITH_01",
                     "Quote: a benefit in 12 of 20 patients", "Reliability: high"):
        assert expected in text, expected


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
    assert re.search(r"REC_USE_01 Use it wisely Grade A · Level I",
                     _text((out / "views.html").read_text(encoding="utf-8")))


def test_seed_text_outside_seeds_is_refused(tmp_path):
    src = copy_root("model-ok", tmp_path / "proj")
    (src / "views.md").write_text("# V\n\n```{seed-text} conf.py\n```\n", encoding="utf-8")
    built = build_sphinx(src)
    assert "conf.py is not a file under seeds/" in built.warnings
