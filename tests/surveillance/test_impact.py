"""Which recommendations a change marks, with which severity, and until when."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from guideline.check.needs_source import Need
from guideline.surveillance import config as configmod, log as logmod
from guideline.surveillance.cited import Cited
from guideline.surveillance.impact import assess

from .conftest import SURVEILLANCE

TODAY = dt.date(2026, 12, 2)
CITED = Cited(doi={"10.1056/nejmoa2203478": "moreau2022", "10.1016/j.bbmt.2018.12.758": "lee2019"},
              nct={"NCT04557098": "moreau2022"})


def need(need_id, kind="rec", status="approved", reviewed="2026-11-21", based_on=(), cite="", line=1):
    fields = {"status": status, "last_reviewed": reviewed} if kind == "rec" else {"cite": cite}
    links = {"based_on": list(based_on)} if based_on else {}
    return Need(need_id, kind, need_id, fields, links, "index", "docs/index.md", line)


def needs(tec1="approved", tec2="draft", tec1_reviewed="2026-11-21"):
    return [need("CLM_MAJES_01", "claim", cite="moreau2022"), need("CLM_ASTCT_01", "claim", cite="lee2019"),
            need("REC_TEC_01", status=tec1, reviewed=tec1_reviewed, based_on=["CLM_MAJES_01"], line=10),
            need("REC_TEC_02", status=tec2, based_on=["CLM_MAJES_01", "CLM_ASTCT_01"], line=20),
            need("REC_CRS_01", based_on=["CLM_ASTCT_01"], line=30)]


def config(tmp_path: Path) -> configmod.Config:
    return configmod.parse(SURVEILLANCE, tmp_path, tmp_path, "docs/surveillance.toml")


def hit(hit_id, kind, search="cited", cited="", state="new", found="2026-11-30", **decision):
    event = {"event": "hit", "id": hit_id, "kind": kind, "registry": "crossref", "search": search,
             "query": "q", "title": f"title of {hit_id}", "date": "", "url": "https://example.org/x",
             "found": found, "run": f"{found}T08:00:00Z", "state": state}
    if cited:
        event["cited"] = cited
    event.update(decision)
    return event


def run(date, *ok):
    return {"event": "run", "run": f"{date}T08:00:00Z", "date": date,
            "searches": {s: {"ok": True, "parts": []} for s in ok}}


def log_of(*events) -> logmod.Log:
    return logmod.parse("\n".join(json.dumps(e) for e in events), "docs/surveillance-log.jsonl")


def marks(impact):
    return sorted((f.rule, f.severity, f.message.split(" ")[0]) for f in impact.findings
                  if f.rule in ("surv.retracted-source", "surv.evidence-changed"))


RETRACTION = hit("DOI:10.1056/nejmoa2203478@retraction", "retraction", cited="doi:10.1056/nejmoa2203478")
ALL_RAN = run("2026-11-30", "tec", "crs", "cited")


@pytest.mark.parametrize("tec1, severity", [("approved", "error"), ("draft", "warning"), ("superseded", "info"),
                                            ("retired", "info")])
def test_retraction_marks_every_recommendation_resting_on_the_source(tmp_path, tec1, severity):
    impact = assess(needs(tec1=tec1), CITED, config(tmp_path), log_of(ALL_RAN, RETRACTION), TODAY)
    assert marks(impact) == sorted([("surv.retracted-source", severity, "REC_TEC_01"),
                                    ("surv.retracted-source", "warning", "REC_TEC_02")])
    assert sorted(impact.notices) == ["REC_TEC_01", "REC_TEC_02"]
    notice = impact.notices["REC_TEC_01"][0]
    assert notice.via == ("CLM_MAJES_01",) and notice.text == "the cited work doi:10.1056/nejmoa2203478 was retracted"
    finding = next(f for f in impact.findings if f.message.startswith("REC_TEC_01"))
    assert (finding.file, finding.line) == ("docs/index.md", 10)


def test_retraction_stays_after_review_and_triage(tmp_path):
    triaged = {"event": "triage", "id": RETRACTION["id"], "state": "not relevant", "reason": "r", "by": "b",
               "date": "2026-12-01"}
    impact = assess(needs(tec1_reviewed="2026-12-01"), CITED, config(tmp_path), log_of(ALL_RAN, RETRACTION, triaged),
                    TODAY)
    assert ("surv.retracted-source", "error", "REC_TEC_01") in marks(impact)


def test_retraction_of_a_work_no_longer_cited_marks_nothing(tmp_path):
    impact = assess(needs(), Cited(doi={"10.1016/j.bbmt.2018.12.758": "lee2019"}), config(tmp_path),
                    log_of(ALL_RAN, RETRACTION), TODAY)
    assert marks(impact) == [] and impact.notices == {}


def test_expression_of_concern_warns_until_the_recommendation_is_reviewed(tmp_path):
    concern = hit("DOI:10.1016/j.bbmt.2018.12.758@expression-of-concern", "expression of concern",
                  cited="doi:10.1016/j.bbmt.2018.12.758")
    impact = assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, concern), TODAY)
    assert marks(impact) == [("surv.evidence-changed", "warning", "REC_CRS_01"),
                             ("surv.evidence-changed", "warning", "REC_TEC_02")]
    reviewed = [n if n.id != "REC_CRS_01" else need("REC_CRS_01", reviewed="2026-11-30", based_on=["CLM_ASTCT_01"])
                for n in needs()]
    assert marks(assess(reviewed, CITED, config(tmp_path), log_of(ALL_RAN, concern), TODAY)) == [
        ("surv.evidence-changed", "warning", "REC_TEC_02")]


def test_new_study_counts_once_triaged_relevant_and_until_reviewed(tmp_path):
    new = hit("PMID:41000001", "publication", search="tec")
    assert marks(assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, new), TODAY)) == []
    relevant = {"event": "triage", "id": "PMID:41000001", "state": "relevant", "reason": "phase 3", "by": "panel",
                "date": "2026-12-01"}
    impact = assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, new, relevant), TODAY)
    assert marks(impact) == [("surv.evidence-changed", "warning", "REC_TEC_01"),
                             ("surv.evidence-changed", "warning", "REC_TEC_02")]  # topic TEC, not CRS
    assert impact.notices["REC_TEC_01"][0].text == \
        "a new publication found by the search \u201cTeclistamab\u201d was triaged relevant"
    reviewed = assess(needs(tec1_reviewed="2026-12-01"), CITED, config(tmp_path), log_of(ALL_RAN, new, relevant), TODAY)
    assert [m[2] for m in marks(reviewed)] == ["REC_TEC_02"]
    included = dict(relevant, state="included", date="2026-12-02")
    assert marks(assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, new, relevant, included), TODAY)) == []


def test_a_relevant_hit_found_by_two_searches_marks_both_topics(tmp_path):
    new = hit("PMID:41000001", "publication", search="tec")
    again = {"event": "found", "id": "PMID:41000001", "search": "crs", "date": "2026-11-30", "run": "r"}
    relevant = {"event": "triage", "id": "PMID:41000001", "state": "relevant", "reason": "r", "by": "b",
                "date": "2026-12-01"}
    impact = assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, new, again, relevant), TODAY)
    assert [m[2] for m in marks(impact)] == ["REC_CRS_01", "REC_TEC_01", "REC_TEC_02"]
    assert impact.notices["REC_CRS_01"][0].text == \
        "a new publication found by the search \u201cCRS\u201d was triaged relevant"


def test_results_posted_on_a_cited_study_count_once_triaged_relevant(tmp_path):
    results = hit("NCT04557098@results", "results", cited="nct:NCT04557098")
    assert marks(assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, results), TODAY)) == []
    decided = dict(results, state="relevant", reason="final OS posted", by="panel", decided="2026-12-01")
    assert [m[2] for m in marks(assess(needs(), CITED, config(tmp_path), log_of(ALL_RAN, decided), TODAY))] == [
        "REC_TEC_01", "REC_TEC_02"]


def findings_of(impact, rule):
    return [f for f in impact.findings if f.rule == rule]


def test_never_run_is_info_and_overdue_is_a_warning(tmp_path):
    cfg = config(tmp_path)
    fresh = assess(needs(), CITED, cfg, log_of(), TODAY)
    assert [(f.severity, f.line) for f in findings_of(fresh, "surv.never-run")] == [
        ("info", cfg.search("tec").line), ("info", cfg.search("crs").line), ("info", cfg.cited_line)]
    assert findings_of(fresh, "surv.overdue") == []
    later = assess(needs(), CITED, cfg, log_of(ALL_RAN), dt.date(2026, 12, 8))
    assert [f.message.split("'")[1] for f in findings_of(later, "surv.overdue")] == ["tec", "crs"]
    assert "it last ran successfully on 2026-11-30; every 7 days, so it was due on 2026-12-07" in \
        findings_of(later, "surv.overdue")[0].message
    failed = {"event": "run", "run": "2026-11-20T08:00:00Z", "date": "2026-11-20",
              "searches": {"tec": {"ok": False, "parts": []}}}
    stuck = assess(needs(), CITED, cfg, log_of(failed), dt.date(2026, 11, 30))
    assert "has not completed since its first attempt on 2026-11-20" in findings_of(stuck, "surv.overdue")[0].message


def test_untriaged_hits_and_unknown_recommendations_are_reported(tmp_path):
    cfg = configmod.parse(SURVEILLANCE.replace('topics = ["CRS"]', 'topics = ["CRS", "XYZ"]\nrecommendations = '
                                               '["REC_CRS_09"]'), tmp_path, tmp_path, "docs/surveillance.toml")
    impact = assess(needs(), CITED, cfg, log_of(ALL_RAN, hit("PMID:41000001", "publication", search="tec")), TODAY)
    assert [f.message for f in findings_of(impact, "surv.untriaged")] == [
        "1 surveillance hit(s) await triage: PMID:41000001"]
    assert sorted(f.message for f in findings_of(impact, "surv.unknown-rec")) == [
        "search 'crs' names REC_CRS_09, which does not exist", "search 'crs' names topic XYZ, which has no recommendation"]
