"""Inside the Sphinx build: notices on recommendations, the Surveillance page, edition triggers, -W."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import FILES, write_repo

RETRACTION_ID = "DOI:10.1056/nejmoa2203478@retraction:10.1056/nejmx2600001"
EVENTS = [
    {"event": "run", "run": "2026-11-30T08:00:00Z", "date": "2026-11-30",
     "searches": {s: {"ok": True, "parts": []} for s in ("tec", "crs", "cited")}},
    {"event": "hit", "id": RETRACTION_ID, "kind": "retraction", "registry": "crossref", "search": "cited",
     "query": "cited DOI 10.1056/nejmoa2203478 (moreau2022)",
     "title": "Retraction of: Teclistamab in Relapsed or Refractory Multiple Myeloma", "date": "2026-11-29",
     "url": "https://doi.org/10.1056/nejmx2600001", "found": "2026-11-30", "run": "2026-11-30T08:00:00Z",
     "cited": "doi:10.1056/nejmoa2203478", "state": "new"},
    {"event": "hit", "id": "PMID:41000005", "kind": "publication", "registry": "pubmed", "search": "crs",
     "query": "q", "title": "CRS prophylaxis with tocilizumab", "date": "2026 Nov",
     "url": "https://pubmed.ncbi.nlm.nih.gov/41000005/", "found": "2026-11-30", "run": "2026-11-30T08:00:00Z",
     "state": "new"},
    {"event": "triage", "id": RETRACTION_ID, "state": "relevant", "reason": "REC_TEC_01 must be reviewed",
     "by": "panel", "date": "2026-12-01"},
]
EDITIONS = """[[edition]]
id = "2026.2"
date = "2026-12-05"
status = "draft"
commit = "0123456789abcdef0123456789abcdef01234567"
summary = "Review after a retraction."
triggered_by = ["DOI:10.1056/nejmoa2203478@retraction:10.1056/nejmx2600001"]
"""
PAGES = {
    "docs/surveillance.md": "---\norphan: true\n---\n# Surveillance\n\n```{surveillance-status}\n```\n",
    "docs/whats-new.md": "---\norphan: true\n---\n# What's new\n\n```{surveillance-triggers}\n```\n",
}


def build(root: Path, out: Path, strict: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GUIDELINE_EDITION_DATE": "2026-12-02"}
    args = [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(root / "docs"), str(out)]
    return subprocess.run(args[:3] + (["-W", "--keep-going"] if strict else []) + args[3:],
                          capture_output=True, text=True, timeout=300, env=env)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_a_retraction_fails_the_build_and_marks_every_recommendation_resting_on_it(tmp_path):
    files = {**FILES, **PAGES, "docs/editions.toml": EDITIONS,
             "docs/surveillance-log.jsonl": "".join(json.dumps(e) + "\n" for e in EVENTS)}
    root = write_repo(tmp_path / "repo", files)
    proc = build(root, tmp_path / "out")
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert len(errors) == 1, proc.stderr  # only the approved recommendation's error fails the build
    assert "[surv.retracted-source]" in errors[0] and "docs/index.md:" in errors[0] and "REC_TEC_01 (approved)" in errors[0]
    assert "guideline.surv.retracted-source" in errors[0]

    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    notices = re.findall(r'<div class="evidence-changed docutils container">(.*?)</div>', index, re.S)
    assert len(notices) == 2  # REC_TEC_01 and REC_TEC_02 rest on moreau2022; REC_CRS_01 does not
    assert "Evidence changed since last review:" in notices[0]
    assert "the cited work doi:10.1056/nejmoa2203478 was retracted" in text_of(notices[0])
    assert "moreau2022" not in text_of(notices[0])  # readers never see a bib key
    assert 'href="surveillance.html#surv-doi-10-1056-nejmoa2203478-retraction-10-1056-nejmx2600001"' in notices[0]
    # Each notice sits inside its recommendation's card, after the recommendation's text.
    for rec_id, text in (("REC_TEC_01", "Offer teclistamab"), ("REC_TEC_02", "Monitor step-up dosing.")):
        card = index[index.index(f'id="{rec_id}"'):]
        assert card.index(text) < card.index("evidence-changed")
    assert "evidence-changed" not in index[index.index('id="REC_CRS_01"'):]

    page = text_of((tmp_path / "out" / "surveillance.html").read_text(encoding="utf-8"))
    assert "1 run(s) recorded in docs/surveillance-log.jsonl; the last on 2026-11-30" in page
    assert "Hits awaiting triage Hit Kind Title Date Found Search PMID:41000005 publication" in page
    assert "Decisions Hit Title Decision Reason By Date " + RETRACTION_ID in page
    assert "relevant REC_TEC_01 must be reviewed panel 2026-12-01" in page
    assert "REC_TEC_01 error the cited work doi:10.1056/nejmoa2203478 was retracted" in page
    assert "REC_TEC_02 warning the cited work doi:10.1056/nejmoa2203478 was retracted" in page
    assert "Teclistamab (tec) topic TEC 7 days 2026-11-30 2026-12-07" in page
    assert "Queries Teclistamab (tec) PubMed (E-utilities esearch, by Entrez date since the last run): " \
           "teclistamab[tiab] ClinicalTrials.gov (API v2 /studies, updated since the last run): " \
           "query.cond=Multiple Myeloma query.intr=teclistamab" in page

    whats_new = html.unescape((tmp_path / "out" / "whats-new.html").read_text(encoding="utf-8"))
    assert "Edition 2026.2 (2026-12-05) was triggered by:" in whats_new
    assert f'href="surveillance.html#surv-doi-10-1056-nejmoa2203478-retraction-10-1056-nejmx2600001">{RETRACTION_ID}' \
        in whats_new
    assert 'href="https://doi.org/10.1056/nejmx2600001">source</a>' in whats_new


def test_the_shipped_guideline_states_that_no_run_is_recorded(guideline_html):
    page = text_of((guideline_html / "surveillance.html").read_text(encoding="utf-8"))
    assert "No surveillance run has been recorded yet." in page
    assert "Hits awaiting triage None: no run recorded." in page
    assert "T-cell-redirecting bispecific antibodies in myeloma (agents, targets, trials) (agents) topic AGENT, " \
           "topic SEQ 7 days never now (never run)" in page
    process = text_of((guideline_html / "living-process.html").read_text(encoding="utf-8"))
    for step in ("1. Watch", "2. Triage", "3. Update", "4. New edition"):
        assert step in process
    assert "No edition in docs/editions.toml names a surveillance item" in \
        text_of((guideline_html / "whats-new.html").read_text(encoding="utf-8"))
    for page in (guideline_html / "recommendations").glob("*.html"):
        assert "evidence-changed" not in page.read_text(encoding="utf-8")  # no invented hits shipped
