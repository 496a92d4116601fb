"""The presentation layer's pieces, without a build: numbering, words, diff, layers, graph, rating key."""

from __future__ import annotations

from conftest import REPO
from docutils import nodes

from guideline.grading import load_settings
from guideline.presentation import card, changes, graph, numbering, words
from guideline.presentation.views import rating_key


def _need(need_id, doc, line, status="approved", kind="rec", title="T"):
    return {"id": need_id, "type": kind, "docname": doc, "lineno": line, "status": status, "title": title}


def test_numbers_are_chapter_dot_n_in_reading_order_and_only_for_recommendations_in_force():
    includes = {"index": ["intro", "recs/index"], "recs/index": ["recs/b", "recs/a"]}
    order = numbering.reading_order(includes, "index", ["index", "intro", "recs/index", "recs/a", "recs/b", "orphan"])
    assert order == ["index", "intro", "recs/index", "recs/b", "recs/a", "orphan"]
    needs = {n["id"]: n for n in [
        _need("REC_A_01", "recs/a", 30), _need("REC_A_02", "recs/a", 10),
        _need("REC_B_01", "recs/b", 5, status="superseded"), _need("REC_B_02", "recs/b", 9),
        _need("GPS_B_01", "recs/b", 20, kind="gps", status="draft"),
        _need("CLM_X_01", "intro", 1, kind="claim"),
    ]}
    result = numbering.number_needs(needs, order, {"recs/b": "B chapter", "recs/a": "A chapter"})
    assert result.numbers == {"REC_B_02": "1.1", "GPS_B_01": "1.2", "REC_A_02": "2.1", "REC_A_01": "2.2"}
    assert [c.title for c in result.chapters] == ["B chapter", "A chapter"]
    assert result.chapters[0].ids == ["REC_B_01", "REC_B_02", "GPS_B_01"]
    assert result.in_order() == ["REC_B_02", "GPS_B_01", "REC_A_02", "REC_A_01"]
    assert words.need_words(needs["REC_A_01"], result) == "Recommendation 2.2"
    assert words.need_words(needs["GPS_B_01"], result) == "Good practice statement 1.2"
    assert words.need_words(needs["REC_B_01"], result) == "Superseded recommendation \u201cT\u201d"


def test_plain_text_resolves_roles_and_drops_markup():
    source = ("**Rationale:** targets are stated {cite:p}`chari2022,moreau2022`; one report errs "
              "({need}`CLM_NEWS1_08`) and see {need}`the rule <REC_X_01>` and `code`.")
    text = words.plain_text(source, need_text=lambda i: f"<{i}>", cite_text=lambda keys: f"[{len(keys)} refs]")
    assert text == "Rationale: targets are stated [2 refs]; one report errs (<CLM_NEWS1_08>) and see the rule and code."
    assert words.plain_text("Use it {cite:p}`k`.") == "Use it."


def test_short_title_drops_a_qualifier_after_a_colon_only_for_a_long_name():
    assert words.short_title("IMWG consensus on bispecific antibodies (Lancet Oncol 2024): abstract only") == \
        "IMWG consensus on bispecific antibodies (Lancet Oncol 2024)"
    assert words.short_title("Hans Lee, MD: expert commentary") == "Hans Lee, MD: expert commentary"


def test_readable_diff_folds_short_unchanged_runs_and_shows_no_markup():
    ops = [["=", "Use "], ["-", "**drug** A "], ["+", "drug B "], ["=", "in all "], ["-", "adults"],
           ["+", "patients"], ["=", " with care [k1]."]]
    para = changes.diff_paragraph(ops, lambda s: words.plain_text(s.replace("[k1]", "")))
    removed = [n.astext() for n in para.findall(nodes.inline) if "diff-removed" in n["classes"]]
    added = [n.astext() for n in para.findall(nodes.inline) if "diff-added" in n["classes"]]
    # "drug" is unchanged once the markup is gone; "in all" is folded into one replaced phrase
    assert removed == ["A in all adults"] and added == ["B in all patients"]
    assert "**" not in para.astext() and "[k1]" not in para.astext()
    assert para.astext().startswith("Use ") and para.astext().endswith("with care.")


def test_rationale_and_practical_paragraphs_become_layers_and_notices_stay_with_the_text():
    def labelled(label, text):
        para = nodes.paragraph()
        para += nodes.Text("")
        para += nodes.strong(text=label)
        para += nodes.Text(" " + text)
        return para

    notice = nodes.container(classes=["evidence-changed"])
    content = [nodes.paragraph(text="Do the thing."), notice, labelled("Rationale:", "because."),
               nodes.paragraph(text="More rationale."), labelled("Practical information:", "dose it.")]
    text, layers = card.split_layers(content)
    assert [n.astext() for n in text] == ["Do the thing.", ""] and text[1] is notice
    assert [n.astext() for n in layers["Rationale"]] == ["because.", "More rationale."]
    assert [n.astext() for n in layers["Practical information"]] == ["dose it."]


def test_evidence_graph_is_deterministic_escaped_svg():
    rec = graph.box("REC_A_01", "Recommendation 1.1", "Use <it>", "tip & more", "#1f4e79", "a.html#REC_A_01")
    claim = graph.box("CLM_A_01", "Claim \u00b7 verified", "A very long claim title that is cut in the box",
                      "t", graph.CLAIM_COLOURS["verified"], "#CLM_A_01")
    source = graph.box("SRC_A", "Source \u00b7 high", "S", "t", graph.RELIABILITY_COLOURS["high"], "#SRC_A")
    svg = graph.evidence_svg(rec, [claim], [source], [("CLM_A_01", "SRC_A")], "graph")
    assert svg == graph.evidence_svg(rec, [claim], [source], [("CLM_A_01", "SRC_A")], "graph")
    assert svg.startswith("<svg") and "Use &lt;it&gt;" in svg and "tip &amp; more" in svg and "<it>" not in svg
    assert svg.count("<path") == 2 and "\u2026" in svg  # rec->claim, claim->source; long text cut


def test_rating_key_names_each_meaning_once():
    key = rating_key([["Grade B: generally recommended.", "Level V: expert opinion."],
                      ["Grade C: optional.", "Level V: expert opinion."]])
    assert key == "Grade B: generally recommended. Level V: expert opinion. Grade C: optional."


def test_rating_key_of_both_schemes_from_the_grading_terms():
    from guideline.grading import rating_badge, rating_terms

    classic = load_settings(REPO / "docs")
    grade = load_settings(REPO / "tests" / "roots" / "test-grade-scheme")
    rec_b = {"type": "rec", "grade": "C", "level": "V"}
    gps = {"type": "gps"}
    key = rating_key([rating_terms(rec_b, classic), rating_terms(gps, classic), rating_terms(rec_b, classic)])
    assert key.startswith("Grade C: Insufficient evidence for efficacy") and key.count("Grade C:") == 1
    assert "Level V: Studies without a control group" in key and "Good practice statement (ungraded): the message is necessary" in key
    strong = {"type": "rec", "strength": "strong", "direction": "for", "certainty": "low",
              "paradigm": "life-threatening situation"}
    weak = {"type": "rec", "strength": "conditional", "direction": "for", "certainty": "very low"}
    key = rating_key([rating_terms(strong, grade), rating_terms(weak, grade)])
    assert key == ("Strong recommendation for: Most informed patients would choose the recommended course. "
                   "Certainty of evidence low: Further research is very likely to change the estimate. "
                   "Conditional recommendation for: Choices will vary with values and preferences. "
                   "Certainty of evidence very low: Any estimate of effect is very uncertain.")
    # The tooltip says the same and, for a strong recommendation on low certainty, why.
    assert rating_badge(strong, grade)[1] == " ".join(rating_terms(strong, grade)) + \
        " Strong despite low certainty because: life-threatening situation"


def test_citations_written_by_the_edition_diff_read_as_reference_numbers():
    from types import SimpleNamespace

    from guideline.presentation.card import _readable
    from guideline.presentation.state import Reference

    cat = SimpleNamespace(needs={}, numbering=None, bib_keys=frozenset({"chari2022", "moreau2022"}),
                          references={"chari2022": Reference("2", "refs", "cite-chari2022"),
                                      "moreau2022": Reference("3", "refs", "cite-moreau2022")})
    readable = _readable(None, cat)
    assert readable("targets are stated [chari2022,moreau2022]; see [1] and [not-a-key].") == \
        "targets are stated [2, 3]; see [1] and [not-a-key]."


def test_need_ids_written_by_the_edition_diff_read_as_words():
    from types import SimpleNamespace

    from guideline.presentation.card import _readable

    needs = {"REC_SEQ_02": _need("REC_SEQ_02", "recs/s", 1), "CLM_NEWS1_08": _need("CLM_NEWS1_08", "e", 1,
                                                                                      kind="claim", title="Wrong")}
    result = numbering.number_needs(needs, ["recs/s"], {})
    cat = SimpleNamespace(needs=needs, numbering=result, bib_keys=frozenset(), references={})
    assert _readable(None, cat)("Superseded by REC_SEQ_02; see CLM_NEWS1_08 and REC_UNKNOWN_01.") == \
        "Superseded by Recommendation 1.1; see claim \u201cWrong\u201d and REC_UNKNOWN_01."
