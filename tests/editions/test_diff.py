"""guideline edition diff on two small synthetic needs.json files."""

from __future__ import annotations

import json

from click.testing import CliRunner

from guideline.cli import main
from guideline.editions import diff


def need(id_, type_="rec", **fields):
    base = {"id": id_, "type": type_, "title": f"Title of {id_}", "content": f"Text of {id_}.", "status": "approved"}
    if type_ == "rec":
        base.update(grade="B", level="V", introduced="2024.1")
    return {**base, **fields}


def needs_json(path, version, needs):
    path.write_text(json.dumps({"current_version": version, "versions": {
        version: {"needs": {n["id"]: n for n in needs}}}}), encoding="utf-8")
    return path


OLD = [
    need("REC_A_01", content="Give drug X to adults {cite:p}`smith2022`."),
    need("REC_B_01"),
    need("REC_C_01"),
    need("REC_D_01"),
    need("REC_E_01"),
    need("CLM_A_01", "claim", cite="smith2022"),
    need("CLM_B_01", "claim", cite="jones2020"),
]
NEW = [
    need("REC_A_01", content="Give drug X to all adults {cite:p}`smith2022`.", grade="A"),
    need("REC_B_01", status="superseded"),
    need("REC_C_01", status="retired"),
    need("REC_D_01"),
    need("REC_F_01", introduced="2026.1"),
    need("CLM_A_01", "claim", cite="smith2022"),
    need("CLM_C_01", "claim", cite="lee2026"),
]


def test_diff_classifies_every_change(tmp_path):
    old = diff.load(needs_json(tmp_path / "a.json", "2024.1", OLD))
    new = diff.load(needs_json(tmp_path / "b.json", "2026.1", NEW))
    data = diff.diff(old, new, "2024.1", "2026.1", [("2024.1", old)])
    recs = data["recommendations"]
    assert recs["added"] == ["REC_F_01"]
    assert recs["superseded"] == ["REC_B_01"]
    assert recs["retired"] == ["REC_C_01"]
    assert recs["removed"] == ["REC_E_01"]
    assert [c["id"] for c in recs["changed"]] == ["REC_A_01"]
    change = recs["changed"][0]
    assert change["fields"] == {"grade": ["B", "A"]}
    assert ["+", "all "] in change["text_diff"]
    assert data["claims"] == {"added": ["CLM_C_01"], "removed": ["CLM_B_01"]}
    assert data["references"] == {"added": ["lee2026"], "removed": ["jones2020"]}
    assert data["titles"]["REC_E_01"] == "Title of REC_E_01"
    assert data["history"]["REC_A_01"] == {"introduced_in": "2024.1", "changed_in": ["2026.1"], "status": "approved"}
    assert data["history"]["REC_F_01"]["introduced_in"] == "2026.1"
    assert data["history"]["REC_D_01"]["changed_in"] == []


def test_first_edition_has_everything_added(tmp_path):
    new = diff.load(needs_json(tmp_path / "b.json", "2024.1", OLD))
    data = diff.diff({}, new, None, "2024.1")
    assert len(data["recommendations"]["added"]) == 5 and data["from"] is None
    assert "first edition" in diff.to_text(data)


def test_word_diff_is_word_level():
    ops = diff.word_diff("the quick brown fox", "the slow brown fox jumps")
    assert ops == [["=", "the "], ["-", "quick "], ["+", "slow "], ["=", "brown fox"], ["+", " jumps"]] or \
        "".join(t for op, t in ops if op != "-") == "the slow brown fox jumps"
    assert "".join(t for op, t in ops if op != "+") == "the quick brown fox"


def test_cli_text_and_json(tmp_path):
    a = needs_json(tmp_path / "a.json", "2024.1", OLD)
    b = needs_json(tmp_path / "b.json", "2026.1", NEW)
    runner = CliRunner()
    text = runner.invoke(main, ["edition", "diff", str(a), str(b)])
    assert text.exit_code == 0, text.output
    assert "Recommendations added: 1" in text.output and "REC_F_01" in text.output
    assert "{+all +}" in text.output and "grade B -> A" in text.output
    as_json = runner.invoke(main, ["edition", "diff", str(a), str(b), "--format", "json"])
    assert json.loads(as_json.output)["recommendations"]["superseded"] == ["REC_B_01"]


def test_cli_bad_needs_file_is_a_finding_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["edition", "diff", str(bad), str(bad)])
    assert result.exit_code == 1
    assert "[edition.bad-needs]" in result.output and "Traceback" not in result.output
