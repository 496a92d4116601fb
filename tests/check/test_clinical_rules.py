"""Grading coherence, GRADE, good practice statements, assertions and claim faithfulness.

Each rule rejects what it should (a level-V recommendation graded A, a restatement
adding a number, a strong GRADE recommendation on very low certainty without a
declared reason) and passes the sound variant of the same fixture.
"""

from __future__ import annotations

import pytest

from guideline.check.faithfulness import additions, restatement
from guideline.errors import GuidelineError
from guideline.grading import Faithfulness, load_settings, rating_badge

from .conftest import base_files, check
from .test_rules import GRADE_TOML

REQUIREMENTS = """
[grading.requirements.A]
levels = ["I"]
source_kinds = ["primary trial report", "systematic review"]
min_reliability = "high"
assertions = ["corroborated"]

[grading.requirements.C]
levels = ["I", "II", "V"]
min_reliability = "moderate"
assertions = ["corroborated", "source statement"]
"""

# A second, independent source that corroborates the trial claim.
CORROBORATING = """
```{source} Review
:id: SRC_REV
:cite: review2023
:kind: systematic review
:reliability: high
```

```{claim} Review title
:id: CLM_REV_01
:cite: review2023
:quote: A review of teclistamab
:assertion: source statement
```
"""

REVIEW_BIB = """
@article{review2023,
  author = {Roe, Richard},
  title = {A review of teclistamab},
  journal = {Blood},
  year = {2023},
  missing = {volume, pages, doi},
}
"""


def _files(level="I", grade="A", assertion=":verification: verified", toml_extra=REQUIREMENTS, corroborate=False):
    files = base_files()
    files["docs/guideline.toml"] = files["docs/guideline.toml"].replace(
        'II = "Other."', 'II = "Other."\nV = "Expert opinion."').replace(
        'B = "Recommended."', 'B = "Recommended."\nC = "Optional."') + toml_extra
    index = files["docs/index.md"].replace(":grade: A\n:level: I", f":grade: {grade}\n:level: {level}")
    index = index.replace(":verification: verified", assertion)
    if corroborate:
        files["references.bib"] += REVIEW_BIB
        index += CORROBORATING
    files["docs/index.md"] = index
    return files


def _rules(result, prefix="ev."):
    return sorted({f.rule for f in result.findings if f.rule.startswith(prefix)})


def _messages(result, rule):
    return [f.message for f in result.findings if f.rule == rule]


# ---- grading coherence ----------------------------------------------------------

def test_level_v_recommendation_graded_a_is_rejected(repo):
    result = check(repo(_files(level="V", assertion=":assertion: corroborated\n:corroborated_by: CLM_REV_01",
                               corroborate=True)))
    assert _rules(result) == ["ev.grade-incoherent"]
    (message,) = _messages(result, "ev.grade-incoherent")
    assert "REC_TEC_01: grade A does not allow level V" in message
    assert result.findings[0].line > 0 and result.findings[0].file == "docs/index.md"


def test_level_v_recommendation_graded_c_passes(repo):
    result = check(repo(_files(level="V", grade="C")))
    assert _rules(result) == []


def test_grade_a_needs_corroborated_evidence(repo):
    # Level I is allowed, but the claim is only the source's own statement.
    result = check(repo(_files()))
    assert _rules(result) == ["ev.grade-incoherent"]
    (message,) = _messages(result, "ev.grade-incoherent")
    assert "needs level I; a claim from primary trial report or systematic review of at least high" in message
    assert "none of its claims (CLM_MAJES_01) is one" in message


def test_grade_a_passes_with_independent_corroboration(repo):
    files = _files(assertion=":assertion: corroborated\n:corroborated_by: CLM_REV_01", corroborate=True)
    assert _rules(check(repo(files))) == []


def test_superseded_recommendations_keep_their_historical_grade(repo):
    files = _files(level="V")
    files["docs/index.md"] = files["docs/index.md"].replace(":status: approved", ":status: retired")
    assert "ev.grade-incoherent" not in _rules(check(repo(files)))


def test_requirements_naming_unknown_values_are_a_settings_error(tmp_path):
    (tmp_path / "guideline.toml").write_text(base_files()["docs/guideline.toml"] + REQUIREMENTS, encoding="utf-8")
    with pytest.raises(GuidelineError) as err:
        load_settings(tmp_path)
    assert err.value.rule == "settings.schema"
    assert "requirements.C: 'C' is not declared by the scheme (A, B)" in err.value.message
    assert err.value.file == str(tmp_path / "guideline.toml")


# ---- assertions -------------------------------------------------------------------

def test_corroboration_from_the_same_source_is_rejected(repo):
    files = _files(grade="A", assertion=":assertion: corroborated\n:corroborated_by: CLM_MAJES_02")
    files["docs/index.md"] += ("\n```{claim} Same trial\n:id: CLM_MAJES_02\n:cite: moreau2022\n"
                               ":quote: Teclistamab in relapsed\n:assertion: source statement\n```\n")
    result = check(repo(files))
    assert "ev.corroboration" in _rules(result)
    assert any("CLM_MAJES_01: asserted corroborated" in m for m in _messages(result, "ev.corroboration"))


# ---- claim faithfulness ----------------------------------------------------------

def _claim_body(files, body, declared=True):
    if declared:  # the panel switches the rule on with a [faithfulness] table (defaults: INN stems)
        files["docs/guideline.toml"] += "\n[faithfulness]\ndrug_names = [\"dexamethasone\"]\n"
    files["docs/index.md"] = files["docs/index.md"].replace(
        ":verification: verified\n```", ":verification: verified\n\n" + body + "\n```", 1)
    return files


def test_restatement_adding_a_number_is_rejected(repo):
    files = _claim_body(base_files(), "The response rate was 63.0% in 220 patients {cite:p}`moreau2022`.")
    result = check(repo(files))
    assert _rules(result) == ["ev.claim-unfaithful"]
    assert _messages(result, "ev.claim-unfaithful") == [
        "CLM_MAJES_01: the restatement has what the quote does not: number '220 patient'"]


def test_faithfulness_is_off_unless_the_panel_declares_it(repo):
    # Content written before the rule (earlier editions, rebuilt by today's toolchain) still passes.
    files = _claim_body(base_files(), "The response rate was 63.0% in 220 patients.", declared=False)
    assert _rules(check(repo(files))) == []


def test_faithful_restatement_with_a_note_passes(repo):
    files = _claim_body(base_files(), "The response rate was 63.0%, followed by a median duration of response "
                                      "{cite:p}`moreau2022`.\n\n**Note:** no comparison group; not relied on "
                                      "for 12 months of follow-up.")
    assert _rules(check(repo(files))) == []


@pytest.mark.parametrize(("restated", "quote", "expected"), [
    ("Response in 12 months", "response at 12 months", []),
    ("Response at 12 months", "response at 12\u2011month landmark", []),
    ("Response at 12 weeks", "response at 12 months", ["number 12 week"]),
    ("Three-month benefit", "a three\u2011month benefit", []),
    ("3 months of benefit", "a three\u2011month benefit", []),
    ("Grade 3 events in 7%", "grade 3 events in 7 % of patients", []),
    ("Events in 9%", "events in 7 % of patients", ["number 9 %"]),
    ("Teclistamab and talquetamab", "teclistamab was given", ["drug talquetamab"]),
    ("Give dexamethasone", "give steroids", ["drug dexamethasone"]),
    ("The targets are not known", "the targets aren\u2019t detailed", []),
    ("The combination is not effective", "the combination is effective", ["negation not"]),
    ("Effective without toxicity", "effective", ["negation without"]),
    ("Cancel the excel parcel", "cancel", []),  # words that only look like INN stems
    ("Links to {need}`CLM_IMWG_02` {cite:p}`x2024`", "links", []),  # IDs and keys are not numbers
])
def test_additions(restated, quote, expected):
    found = [f"{a.kind} {a.text}" for a in additions(restated, quote, Faithfulness(drug_names=("dexamethasone",)))]
    assert found == expected


def test_restatement_stops_at_the_first_labelled_paragraph():
    body = "First {cite:p}`k`.\n\nSecond line.\n\n**Note:** not relied on.\n\nMore."
    assert restatement(body) == "First . Second line."


# ---- GRADE -------------------------------------------------------------------------

def _grade_files(certainty="very low", strength="strong", paradigm=""):
    files = base_files()
    files["docs/guideline.toml"] = GRADE_TOML
    rating = f":strength: {strength}\n:direction: for\n:certainty: {certainty}\n"
    if paradigm:
        rating += f":paradigm: {paradigm}\n"
    files["docs/index.md"] = files["docs/index.md"].replace(":grade: A\n:level: I\n", rating)
    return files


def test_strong_grade_recommendation_on_very_low_certainty_is_rejected(repo):
    result = check(repo(_grade_files()))
    assert _rules(result) == ["ev.grade-strong-low-certainty"]
    assert _messages(result, "ev.grade-strong-low-certainty") == [
        "REC_TEC_01: strong recommendation on very low certainty without a declared paradigmatic situation "
        "(:paradigm:)"]


@pytest.mark.parametrize("variant", [
    {"paradigm": "life-threatening situation"},
    {"strength": "conditional"},
    {"certainty": "moderate"},
])
def test_grade_recommendation_passes_with_a_reason_or_a_weaker_strength(repo, variant):
    assert _rules(check(repo(_grade_files(**variant)))) == []


def test_rating_badge_in_both_schemes(tmp_path):
    (tmp_path / "guideline.toml").write_text(GRADE_TOML, encoding="utf-8")
    grade = load_settings(tmp_path)
    badge, text = rating_badge({"type": "rec", "strength": "strong", "direction": "for", "certainty": "low",
                                "paradigm": "no alternative"}, grade)
    assert badge == "Strong for \u00b7 low certainty"
    assert "no alternative" in text
    (tmp_path / "guideline.toml").write_text(base_files()["docs/guideline.toml"], encoding="utf-8")
    classic = load_settings(tmp_path)
    assert rating_badge({"type": "rec", "grade": "B", "level": "II"}, classic)[0] == "Grade B \u00b7 Level II"
    assert rating_badge({"type": "gps"}, classic)[0] == "Good practice statement"
