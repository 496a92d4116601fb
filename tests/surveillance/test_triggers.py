"""Editions name the surveillance items that triggered them (``triggered_by``, optional)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guideline.editions import registry
from guideline.errors import GuidelineError
from guideline.surveillance import log as logmod, triggers

EDITION = '[[edition]]\nid = "2026.2"\ndate = "2026-12-05"\nstatus = "draft"\ncommit = "0123456"\nsummary = "s"\n'
HIT = {"event": "hit", "id": "PMID:41000001", "kind": "publication", "registry": "pubmed", "search": "tec",
       "query": "q", "title": "t", "date": "", "url": "https://pubmed.ncbi.nlm.nih.gov/41000001/",
       "found": "2026-11-30", "run": "2026-11-30T08:00:00Z", "state": "new"}


def test_triggered_by_is_optional_and_read_as_hit_ids():
    plain, = registry.parse(EDITION)
    assert plain.triggered_by == ()
    triggered, = registry.parse(EDITION + 'triggered_by = ["PMID:41000001", " NCT07000001@results "]\n')
    assert triggered.triggered_by == ("PMID:41000001", "NCT07000001@results")
    assert triggered.as_dict() == plain.as_dict()  # manifests and checksums do not change


@pytest.mark.parametrize("value", ['"PMID:41000001"', "[1]", '[""]'])
def test_triggered_by_must_be_a_list_of_ids(value):
    with pytest.raises(GuidelineError) as info:
        registry.parse(EDITION + f"triggered_by = {value}\n", "docs/editions.toml")
    assert (info.value.rule, info.value.line) == ("edition.schema", 2)


def test_the_final_editions_are_unchanged_and_name_no_trigger():
    editions = {e.id: e for e in registry.load(Path(__file__).resolve().parents[2])}
    assert editions["2024.1"].commit == "24ab18b1f4d9385b582bebf7aee899ea6b672c28"
    assert editions["2026.1"].commit == "33cd29c01139bd1855b89cb0fc269a3e67fb6384"
    assert editions["2024.1"].triggered_by == editions["2026.1"].triggered_by == ()


@pytest.mark.parametrize("state, expected", [
    (None, [("error", "edition 2026.2: triggered_by names 'PMID:41000001', which is not a hit of the "
                      "surveillance log docs/surveillance-log.jsonl")]),
    ("new", [("warning", "edition 2026.2: its trigger PMID:41000001 is triaged 'new'")]),
    ("not relevant", [("warning", "edition 2026.2: its trigger PMID:41000001 is triaged 'not relevant'")]),
    ("relevant", []),
    ("included", []),
])
def test_triggers_must_be_triaged_hits_of_the_log(tmp_path, state, expected):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "editions.toml").write_text(EDITION + 'triggered_by = ["PMID:41000001"]\n', encoding="utf-8")
    events = []
    if state:
        decision = {"reason": "r", "by": "b", "decided": "2026-12-01"} if state != "new" else {}
        events.append(json.dumps(dict(HIT, state=state, **decision)))
    log = logmod.parse("\n".join(events), "docs/surveillance-log.jsonl")
    found = triggers.check(tmp_path, log)
    assert [(f.severity, f.message) for f in found] == expected
    assert all((f.file, f.line, f.rule) == ("docs/editions.toml", 2, "surv.trigger") for f in found)
