"""``guideline watch`` and ``guideline check`` as a user runs them, against fake registries on 127.0.0.1.

In process (click's runner), except one run of the real entry point in a subprocess.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass

from click.testing import CliRunner

from guideline.cli import main

from .conftest import MOREAU_DOI, esummary_record, retraction, study, work


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def guideline(repo, *args, env=None) -> Ran:
    full = {"GUIDELINE_ROOT": str(repo), "GUIDELINE_EDITION_DATE": "2026-12-02", **(env or {})}
    if args[0] == "check":
        args = (*args, "--root", str(repo))
    result = CliRunner().invoke(main, list(args), env=full)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def log_events(repo):
    text = (repo / "docs" / "surveillance-log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def seed(registries):
    registries.esearch["teclistamab[tiab]"] = ["41000002", "41000001"]
    registries.summaries["41000001"] = esummary_record("41000001", "Teclistamab every four weeks")
    registries.summaries["41000002"] = esummary_record("41000002", "Teclistamab in extramedullary myeloma")
    registries.search_studies = [study("NCT07000001", "Teclistamab outpatient step-up")]


def test_watch_records_new_items_for_triage_and_not_twice(repo, registries):
    seed(registries)
    first = guideline(repo, "watch", "--today", "2026-11-25", env=registries.env())
    assert first.returncode == 0, first.stderr
    assert "3 search(es) run on 2026-11-25, 0 failed; 3 new hit(s) recorded in docs/surveillance-log.jsonl" \
        in first.stdout
    for hit_id in ("PMID:41000001", "PMID:41000002", "NCT07000001"):
        assert hit_id in first.stdout
    assert "[1/3] tec: PubMed: 2 found, 2 new" in first.stderr
    assert "[1/3] tec: ClinicalTrials.gov: 1 found, 1 new" in first.stderr
    events = log_events(repo)
    assert [e["event"] for e in events].count("hit") == 3 and events[0]["event"] == "run"
    assert {e["id"]: e["state"] for e in events if e["event"] == "hit"} == {
        "PMID:41000002": "new", "PMID:41000001": "new", "NCT07000001": "new"}

    again = guideline(repo, "watch", "--today", "2026-11-26", env=registries.env())
    assert again.returncode == 0 and "no search is due" in again.stdout
    forced = guideline(repo, "watch", "--all", "--today", "2026-11-26", env=registries.env())
    assert forced.returncode == 0 and "0 new hit(s)" in forced.stdout
    assert [e["event"] for e in log_events(repo)].count("hit") == 3

    status = guideline(repo, "watch", "status", "--today", "2026-11-26")
    assert "3 hit(s) await triage:" in status.stdout
    assert "tec" in status.stdout and "next due 2026-12-03" in status.stdout


def test_retraction_of_a_cited_doi_is_named_on_every_recommendation_resting_on_it(repo, registries):
    assert guideline(repo, "watch", "--today", "2026-11-25", env=registries.env()).returncode == 0
    clean = guideline(repo, "check")  # cached: the log is part of the cache key
    assert clean.returncode == 0, clean.stdout
    assert "surv.retracted-source" not in clean.stdout

    registries.works[MOREAU_DOI.lower()] = work(MOREAU_DOI, "Teclistamab in Relapsed or Refractory Multiple Myeloma",
                                                [retraction("10.1056/NEJMx2600001")])
    watched = guideline(repo, "watch", "--all", "--search", "cited", "--today", "2026-12-02", env=registries.env())
    assert watched.returncode == 0, watched.stderr
    assert "DOI:10.1056/nejmoa2203478@retraction:10.1056/nejmx2600001  [retraction, cited]" in watched.stdout

    checked = guideline(repo, "check")
    assert checked.returncode == 1 and "[cached]" not in checked.stdout
    lines = [line.strip() for line in checked.stdout.splitlines()
             if "[surv.retracted-source]" in line and line.strip().startswith("docs/")]
    assert len(lines) == 2, checked.stdout
    assert lines[0].startswith("docs/index.md:") and "REC_TEC_01 (approved): evidence changed since last review " \
        "(via CLM_MAJES_01, cited as moreau2022): the cited work doi:10.1056/nejmoa2203478 was retracted" in lines[0]
    assert "REC_TEC_02 (draft)" in lines[1]
    assert "REC_CRS_01" not in checked.stdout
    assert "1 error(s)" in checked.stdout.splitlines()[-1]


def test_triage_from_the_command_line(repo, registries):
    seed(registries)
    guideline(repo, "watch", "--today", "2026-11-25", env=registries.env())
    done = guideline(repo, "watch", "triage", "PMID:4100000", "relevant", "--reason", "x", "--by", "y")
    assert done.returncode == 1 and "matches 2 hits" in done.stderr  # a prefix must be unique
    done = guideline(repo, "watch", "triage", "PMID:41000002", "relevant", "--reason",
                     "extramedullary data bear on REC_TEC_01", "--by", "panel", "--today", "2026-11-27")
    assert done.returncode == 0, done.stderr
    assert "PMID:41000002: relevant (extramedullary data bear on REC_TEC_01; panel, 2026-11-27)" in done.stdout
    assert log_events(repo)[-1] == {"event": "triage", "id": "PMID:41000002", "state": "relevant",
                                    "reason": "extramedullary data bear on REC_TEC_01", "by": "panel",
                                    "date": "2026-11-27"}
    # A relevant new study on the topic marks the topic's recommendations (a warning).
    checked = guideline(repo, "check", "--no-cache", "--fail-on", "warning")
    assert checked.returncode == 1
    marked = [line for line in checked.stdout.splitlines()
              if "[surv.evidence-changed]" in line and line.strip().startswith("docs/")]
    assert len(marked) == 2 and "REC_TEC_01" in marked[0] and "REC_TEC_02" in marked[1]
    assert "a new publication found by the search \u201cTeclistamab\u201d was triaged relevant" in marked[0]

    unknown = guideline(repo, "watch", "triage", "PMID:1", "included", "--reason", "x", "--by", "y")
    assert unknown.returncode == 1 and "[surv.unknown-hit] no hit 'PMID:1'" in unknown.stderr
    bad = guideline(repo, "watch", "triage", "PMID:41000001", "maybe", "--reason", "x", "--by", "y")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    no_reason = guideline(repo, "watch", "triage", "PMID:41000001", "not-relevant", "--by", "y")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr


def test_an_unreachable_registry_is_reported_and_the_run_recorded(repo):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GUIDELINE_ROOT": str(repo), "GUIDELINE_CROSSREF_URL": base, "GUIDELINE_PUBMED_URL": base,
           "GUIDELINE_CTGOV_URL": base}
    result = subprocess.run([sys.executable, "-m", "guideline.cli", "watch", "--today", "2026-11-25"], cwd=repo,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "[online.unavailable] tec: PubMed: cannot reach 127.0.0.1" in result.stderr
    run = log_events(repo)[0]
    assert run["event"] == "run" and not any(s["ok"] for s in run["searches"].values())
    status = guideline(repo, "watch", "status", "--today", "2026-11-25")
    assert "tec" in status.stdout and "never" in status.stdout


def test_status_of_a_fresh_repository(repo):
    result = guideline(repo, "watch", "status", "--today", "2026-11-25")
    assert result.returncode == 0
    assert "No surveillance run has been recorded yet (docs/surveillance-log.jsonl)." in result.stdout
    assert "0 hit(s) await triage." in result.stdout
