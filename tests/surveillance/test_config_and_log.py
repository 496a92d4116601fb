"""Saved searches and the surveillance log: what is accepted, and bad input named by file, line and rule."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from guideline.errors import GuidelineError
from guideline.surveillance import config as configmod, log as logmod, triage

from .conftest import SURVEILLANCE

TOML = "docs/surveillance.toml"
LOG = "docs/surveillance-log.jsonl"


def parse(text: str, tmp_path: Path) -> configmod.Config:
    return configmod.parse(text, tmp_path / "docs", tmp_path, TOML)


def test_saved_searches_are_read(tmp_path):
    config = parse(SURVEILLANCE, tmp_path)
    tec = config.search("tec")
    assert (tec.line, tec.interval_days, tec.topics, tec.pubmed) == (12, 7, ("TEC",), "teclistamab[tiab]")
    assert tec.ctgov.params() == {"query.cond": "Multiple Myeloma", "query.intr": "teclistamab"}
    assert tec.covers("REC_TEC_01") and tec.covers("GPS_TEC_02") and not tec.covers("REC_CRS_01")
    assert config.ids() == ["tec", "crs", "cited"] and config.interval("cited") == 30
    assert config.log == (tmp_path / "docs" / "surveillance-log.jsonl").resolve()
    assert config.log_display == LOG and config.page_size == 2


def test_the_shipped_searches_are_valid():
    root = Path(__file__).resolve().parents[2]
    config = configmod.load(root / "docs", root)
    assert config is not None and len(config.searches) >= 5
    for search in config.searches:
        assert search.pubmed and (search.topics or search.recommendations)


@pytest.mark.parametrize("old, new, line, message", [
    ('id = "tec"', 'id = "Tec"', 12, "search #1: id 'Tec' is not a lower-case slug"),
    ('id = "crs"', 'id = "tec"', 20, "search 'tec' is listed twice"),
    ('interval_days = 30', 'interval_days = 0', 8, "[cited] interval_days must be a whole number of at least 1"),
    ('topics = ["TEC"]', 'topics = ["tec"]', 12, "search 'tec': topic 'tec' is not an ID topic"),
    ('topics = ["TEC"]', 'topic = ["TEC"]', 12, "search 'tec': unknown key(s) topic"),
    ('topics = ["TEC"]', 'recommendations = ["TEC_01"]', 12, "search 'tec': 'TEC_01' is not a recommendation ID"),
    ('page_size = 2', 'pagesize = 2', 5, "[surveillance]: unknown key(s) pagesize"),
    ('since = 2026-11-21', 'since = "last week"', 3, "since 'last week' is not a date"),
    ('log = "surveillance-log.jsonl"', 'log = "../../elsewhere.jsonl"', 2, "lies outside the repository"),
    ('pubmed = \'"cytokine release syndrome"[tiab] AND myeloma[tiab]\'', "", 20,
     "search 'crs' has neither a pubmed nor a ctgov query"),
    ('ctgov = { cond = "Multiple Myeloma", intr = "teclistamab" }', 'ctgov = { condition = "x" }', 12,
     "search 'tec': ctgov must be a table of cond, intr and term strings"),
    ('[cited]', '[cite]', 8, "unknown table(s) cite"),
    ('interval_days = 7\npubmed = "teclistamab', 'interval_days = 7\npubmed = "teclistamab', 0, ""),
])
def test_bad_saved_searches_are_named_by_line(tmp_path, old, new, line, message):
    text = SURVEILLANCE.replace(old, new, 1)
    assert text != SURVEILLANCE or not message
    if not message:  # the unchanged file: valid
        parse(text, tmp_path)
        return
    with pytest.raises(GuidelineError) as info:
        parse(text, tmp_path)
    assert (info.value.file, info.value.rule) == (TOML, "surv.config")
    assert info.value.line == line and message in info.value.message


def test_invalid_toml_names_the_line(tmp_path):
    with pytest.raises(GuidelineError) as info:
        parse(SURVEILLANCE.replace('title = "CRS"', 'title = "CRS'), tmp_path)
    assert info.value.rule == "surv.config" and info.value.line == 21


HIT = {"event": "hit", "id": "PMID:41000001", "kind": "publication", "registry": "pubmed", "search": "tec",
       "query": "teclistamab[tiab]", "title": "A title", "date": "2026 Nov 24",
       "url": "https://pubmed.ncbi.nlm.nih.gov/41000001/", "found": "2026-11-25", "run": "2026-11-25T08:00:00Z",
       "state": "new"}
RUN = {"event": "run", "run": "2026-11-25T08:00:00Z", "date": "2026-11-25", "searches": {"tec": {"ok": True}}}


def lines(*events) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events)


def test_log_keeps_runs_hits_and_the_latest_decision():
    triaged = {"event": "triage", "id": "PMID:41000001", "state": "relevant", "reason": "new data", "by": "panel",
               "date": "2026-11-26"}
    revised = dict(triaged, state="included", reason="claims CLM_X_01 added", date="2026-12-01")
    log = logmod.parse(lines(RUN, HIT, triaged, "", revised), LOG)
    hit = log.hits["PMID:41000001"]
    assert (hit.state, hit.reason, hit.by, hit.decided, hit.line) == (
        "included", "claims CLM_X_01 added", "panel", "2026-12-01", 2)
    assert [h["state"] for h in hit.history] == ["relevant", "included"]
    assert log.last_success("tec").isoformat() == "2026-11-25" and log.open_hits() == []


def test_a_hit_line_edited_by_hand_is_a_decision():
    edited = dict(HIT, state="not relevant", reason="commentary without data", by="J. Doe", decided="2026-11-27")
    hit = logmod.parse(lines(RUN, edited), LOG).hits["PMID:41000001"]
    assert (hit.state, hit.by, hit.decided) == ("not relevant", "J. Doe", "2026-11-27")


@pytest.mark.parametrize("events, line, message", [
    ([RUN, "{not json"], 2, "not a JSON object"),
    ([RUN, {"event": "note"}], 2, "unknown event 'note'"),
    ([RUN, HIT, HIT], 3, "hit PMID:41000001 is already recorded on line 2"),
    ([RUN, dict(HIT, kind="rumour")], 2, "kind 'rumour' is not one of"),
    ([RUN, dict(HIT, found="25.11.2026")], 2, "found '25.11.2026' is not a date"),
    ([RUN, dict(HIT, title="")], 2, "hit lacks 'title'"),
    ([RUN, dict(HIT, url="javascript:alert(1)")], 2, "url 'javascript:alert(1)' is not an http(s) address"),
    ([RUN, HIT, {"event": "triage", "id": "PMID:41000001", "state": "relevant", "date": "2026-11-26"}], 3,
     "a decision (relevant) needs a reason and who decided (by)"),
    ([RUN, HIT, {"event": "triage", "id": "PMID:41000001", "state": "maybe", "reason": "r", "by": "b",
                 "date": "2026-11-26"}], 3, "state 'maybe' is not one of"),
    ([RUN, {"event": "triage", "id": "PMID:9", "state": "relevant", "reason": "r", "by": "b", "date": "2026-11-26"}],
     2, "triage of PMID:9, which no earlier line records"),
    ([dict(HIT, state="relevant")], 1, "a decision (relevant) needs a reason"),
    ([RUN, {"event": "found", "id": "PMID:9", "search": "crs"}], 2, "found of PMID:9, which no earlier line records"),
])
def test_bad_log_lines_are_named_by_line(events, line, message):
    with pytest.raises(GuidelineError) as info:
        logmod.parse(lines(*events), LOG)
    assert (info.value.file, info.value.line, info.value.rule) == (LOG, line, "surv.log")
    assert message in info.value.message


def test_append_keeps_every_earlier_byte_and_writes_whole_lines(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(lines(RUN, HIT).rstrip("\n"), encoding="utf-8")  # a hand edit without the final newline
    before = path.read_bytes()
    logmod.append(path, [{"event": "triage", "id": "PMID:41000001", "state": "not relevant", "reason": "Überblick",
                          "by": "b", "date": "2026-11-26"}])
    after = path.read_bytes()
    assert after.startswith(before + b"\n") and after.endswith(b"\n")
    assert "Überblick" in after.decode("utf-8")
    assert logmod.read(path, LOG).hits["PMID:41000001"].state == "not relevant"
    assert [p.name for p in tmp_path.iterdir()] == ["log.jsonl"]  # no temporary file left behind
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_triage_resolves_a_unique_prefix_and_records_nothing_twice(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(lines(RUN, dict(HIT, id="DOI:10.1056/nejmoa2203478@retraction:10.1056/nejmx2600001",
                                    kind="retraction", cited="doi:10.1056/nejmoa2203478")), encoding="utf-8")
    import datetime as dt

    hit = triage.triage(path, LOG, "DOI:10.1056/nejmoa2203478@retraction", "not_relevant", "r", "b",
                        dt.date(2026, 12, 1))
    assert hit.state == "not relevant" and hit.decided == "2026-12-01"
    size = path.stat().st_size
    triage.triage(path, LOG, "DOI:10.1056", "not relevant", "r", "b", dt.date(2026, 12, 2))
    assert path.stat().st_size == size
    with pytest.raises(GuidelineError) as info:
        triage.triage(path, LOG, "DOI:10.1056", "new", "r", "b", dt.date(2026, 12, 2))
    assert info.value.rule == "usage.triage-state"
