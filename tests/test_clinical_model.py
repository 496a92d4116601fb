"""The clinical layer inside Sphinx builds: GRADE fixture, coherence errors, ubproject.toml.

The rules themselves are proven on source scans in tests/check/test_clinical_rules.py;
here the same rules must fail (or pass) a real build, and the committed
ubproject.toml must be the current need model and load in sphinx-needs.
"""

from __future__ import annotations

import shutil
import tomllib

from conftest import REPO, build_sphinx

from guideline.grading import load_settings
from guideline.ubproject import FILE_NAME, needs_table, render


def test_grade_fixture_builds_clean_and_renders_ratings(build_root):
    built = build_root("grade-scheme")
    assert built.warnings == ""
    rec, gps = built.needs["REC_USE_01"], built.needs["GPS_USE_01"]
    assert (rec["strength"], rec["direction"], rec["certainty"]) == ("strong", "for", "low")
    assert rec["paradigm"] == "life-threatening situation" and rec["key"] is True
    assert gps["type"] == "gps" and gps["key"] is False
    html = built.html()
    assert "Strong for \u00b7 low certainty" in html
    assert "Conditional for \u00b7 very low certainty" in html
    assert "Graded recommendations: 2 in force" in html
    assert "Good practice statements (ungraded): 1 in force" in html
    grading = built.html("grading")
    assert "A strong recommendation needs certainty high or moderate" in grading
    assert "very low" in grading and "Certainty of evidence" in grading


def test_strong_grade_on_very_low_certainty_without_paradigm_fails_the_build(build_root):
    built = build_root("grade-strong-no-paradigm")
    assert "[ev.grade-strong-low-certainty] REC_USE_01: strong recommendation on very low certainty" in built.warnings
    assert "REC_USE_02" not in built.warnings  # conditional on very low certainty is allowed


def test_level_v_recommendation_graded_a_fails_the_build(build_root):
    built = build_root("level-v-graded-a")
    assert "[ev.grade-incoherent] REC_USE_01: grade A does not allow level V" in built.warnings


def test_committed_ubproject_is_the_current_model():
    committed = (REPO / FILE_NAME).read_text(encoding="utf-8")
    assert committed == render(load_settings(REPO / "docs")), (
        "ubproject.toml is out of date: run `guideline model export` and commit it")


def test_ubproject_changes_when_the_grading_scheme_changes(tmp_path):
    # The freshness test above can fail: another scheme gives another file.
    shutil.copy(REPO / "docs" / "guideline.toml", tmp_path / "guideline.toml")
    text = (tmp_path / "guideline.toml").read_text(encoding="utf-8")
    (tmp_path / "guideline.toml").write_text(text.replace('E = "Strong evidence against', 'F = "Strong evidence against')
                                             .replace("[grading.requirements.E]", "[grading.requirements.F]"),
                                             encoding="utf-8")
    changed = render(load_settings(tmp_path))
    assert changed != (REPO / FILE_NAME).read_text(encoding="utf-8")
    assert '"F"]' in changed


def test_ubproject_round_trips_and_configures_plain_sphinx_needs(tmp_path):
    data = tomllib.loads((REPO / FILE_NAME).read_text(encoding="utf-8"))
    assert data["needs"] == needs_table(load_settings(REPO / "docs"))
    # sphinx-needs alone (no guideline extension) reads the model from the file.
    shutil.copy(REPO / FILE_NAME, tmp_path / FILE_NAME)
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "sphinx_needs"]\n'
                                      'needs_from_toml = "ubproject.toml"\nneeds_build_json = True\n',
                                      encoding="utf-8")
    (tmp_path / "index.md").write_text(
        "# Model\n\n```{claim} A claim\n:id: CLM_X_01\n:cite: x2024\n:quote: words\n"
        ":assertion: source statement\n```\n\n"
        "```{rec} A rec\n:id: REC_X_01\n:grade: Z\n:level: V\n:status: approved\n:introduced: 2026.2\n"
        ":last_reviewed: 2026-11-22\n:based_on: CLM_X_01\n```\n", encoding="utf-8")
    built = build_sphinx(tmp_path)
    assert built.needs["REC_X_01"]["level"] == "V"
    # The grade enum came from the file: the only complaint is the bad grade.
    assert built.warnings.count("has schema violations") == 1
    assert "Field:          grade" in built.warnings and '"Z" is not one of "A", "B"' in built.warnings
