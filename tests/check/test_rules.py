"""Every rule: a fixture that triggers it, and the valid repository that passes it."""

from __future__ import annotations

from typing import Callable

import pytest

from guideline.check.rules import RULES

from .conftest import BIB, INDEX, base_files, check, lock_text

Files = dict[str, "str | bytes"]


def sub(path: str, old: str, new: str) -> Callable[[Files], None]:
    def apply(files: Files) -> None:
        assert old in files[path], f"fixture text {old!r} not in {path}"
        files[path] = files[path].replace(old, new, 1)
    return apply


def add(path: str, text: str) -> Callable[[Files], None]:
    def apply(files: Files) -> None:
        files[path] = files.get(path, "") + text
    return apply


def put(path: str, content) -> Callable[[Files], None]:
    def apply(files: Files) -> None:
        if content is None:
            files.pop(path, None)
        else:
            files[path] = content
    return apply


SECOND_CLAIM = """
```{{claim}} Second
:id: CLM_{tag}_01
:cite: {key}
:quote: {quote}
:verification: {verification}
```

```{{source}} Second source
:id: SRC_{tag}
:cite: {key}
:kind: news report
:reliability: {reliability}
```
"""

BLOG = """
@misc{blog2026,
  author = {Doe, Jane},
  title = {Bispecifics cure everyone},
  howpublished = {Web page},
  year = {2026},
}
"""


def second_claim(verification="verified", reliability="moderate", quote="Bispecifics cure everyone"):
    def apply(files: Files) -> None:
        files["references.bib"] += BLOG
        files["docs/index.md"] = files["docs/index.md"].replace(
            ":based_on: CLM_MAJES_01", ":based_on: CLM_MAJES_01, CLM_BLOG_01")
        files["docs/index.md"] += SECOND_CLAIM.format(tag="BLOG", key="blog2026", quote=quote,
                                                     verification=verification, reliability=reliability)
    return apply


def rec(rec_id: str, extra: str, status: str = "approved") -> str:
    return f"""
```{{rec}} Another
:id: {rec_id}
:status: {status}
:based_on: CLM_MAJES_01
:grade: A
:level: I
:introduced: 2026.1
:last_reviewed: 2026-01-10
{extra}```
"""


GRADE_TOML = """[guideline]
title = "Test guideline"
review_interval_days = 365
contact = "maintainers@example.org"

[grading]
scheme = "grade"
name = "GRADE"
[grading.strengths]
strong = "Strong."
conditional = "Conditional."
[grading.directions]
for = "For."
against = "Against."
[grading.certainties]
high = "High."
moderate = "Moderate."
low = "Low."
"very low" = "Very low."
[grading.strong]
certainties = ["high", "moderate"]
"""

GPS_WITHOUT_RATIONALE = """
```{gps} Grade toxicity with one system
:id: GPS_TOX_01
:status: approved
:introduced: 2026.1
:last_reviewed: 2026-01-10

Grade toxicity with one system.
```
"""


# Living surveillance (guideline.surveillance): saved searches and their log.
SURV_TOML = """[surveillance]
since = 2026-01-01

[cited]
interval_days = 30

[[search]]
id = "tec"
topics = ["TEC"]
interval_days = 7
pubmed = "teclistamab[tiab]"
"""
SURV_RUN = {"event": "run", "run": "2026-02-27T08:00:00Z", "date": "2026-02-27",
            "searches": {"tec": {"ok": True}, "cited": {"ok": True}}}


def surv_hit(hit_id="PMID:41000001", kind="publication", **extra) -> dict:
    return {"event": "hit", "id": hit_id, "kind": kind, "registry": "crossref", "search": "cited", "query": "q",
            "title": "t", "date": "", "url": "https://doi.org/10.1056/x", "found": "2026-02-27",
            "run": "2026-02-27T08:00:00Z", "state": "new", **extra}


def surveillance(*events, toml=SURV_TOML) -> Callable[[Files], None]:
    import json

    def apply(files: Files) -> None:
        files["docs/surveillance.toml"] = toml
        files["docs/surveillance-log.jsonl"] = "".join(
            (e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events)
    return apply


EDITION_TRIGGERED = """[[edition]]
id = "2026.2"
date = "2026-03-01"
status = "draft"
commit = "0123456"
summary = "s"
triggered_by = ["PMID:99999999"]
"""


CASES: dict[str, list[Callable[[Files], None]]] = {
    "bib.syntax": [sub("references.bib", "  pages = {495--505},\n", "  pages = {495--505,\n")],
    "bib.encoding": [put("references.bib", BIB.replace("Moreau, Philippe", "Moreau, Phil\u00efppe").encode("latin-1"))],
    "bib.required-field": [sub("references.bib", "  pages = {495--505},\n", "")],
    "bib.unverified-field": [sub("references.bib", "  pages = {495--505},\n", "  missing = {pages},\n")],
    "bib.missing-present": [sub("references.bib", "  pages = {495--505},\n", "  pages = {495--505},\n  missing = {pages},\n")],
    "bib.duplicate-key": [add("references.bib", BIB)],
    "bib.duplicate-work": [add("references.bib", BIB.replace("{moreau2022,", "{majestec1,")),
                           add("docs/index.md", "Also {cite:p}`majestec1`.\n")],
    "bib.uncited": [add("references.bib", BLOG)],
    "bib.huge-field": [sub("references.bib", "  issn =", "  abstract = {" + "word " * 30000 + "},\n  issn =")],
    "doc.unreadable": [put("docs/index.md", INDEX.replace("Teclistamab works", "Teclistamab wirkt f\u00fcr").encode("latin-1"))],
    "cite.unknown-key": [add("docs/index.md", "See {cite:t}`moreau2023`.\n")],
    "id.doi": [sub("references.bib", "doi = {10.1056", "doi = {https://doi.org/10.1056")],
    "id.issn": [sub("references.bib", "0028-4793", "0028-4794")],
    "id.pmid": [sub("references.bib", "pmid = {35661166}", "pmid = {PMID35661166}")],
    "id.nct": [sub("references.bib", "  pmid =", "  nct = {NCT0455709},\n  pmid =")],
    "id.pages": [sub("references.bib", "495--505", "505--495")],
    "id.year": [sub("references.bib", "year = {2022}", "year = {2027}")],
    "id.volume-year": [sub("references.bib", "volume = {387}", "volume = {390}")],
    "id.pii": [sub("references.bib", "doi = {10.1056/NEJMoa2203478}", "doi = {10.1016/S0140-6736(22)01234-5}")],
    "ev.no-source": [sub("docs/index.md", ":cite: moreau2022\n:kind:", ":cite: moreau2022x\n:kind:")],
    "ev.source-file": [sub("docs/index.md", ":file: seeds/majestec.txt", ":file: seeds/missing.txt")],
    "ev.quote-not-found": [sub("docs/index.md", "was 63.0 %", "was 68.0 %")],
    "ev.rec-no-status": [sub("docs/index.md", ":status: approved\n", "")],
    "ev.rec-unsupported": [sub("docs/index.md", ":verification: verified", ":verification: unverified")],
    "ev.approved-contradicted": [second_claim(verification="contradicted")],
    "ev.approved-unreliable": [second_claim(reliability="unreliable")],
    "ev.superseded-orphan": [sub("docs/index.md", ":status: approved", ":status: superseded")],
    "ev.supersedes-cycle": [sub("docs/index.md", ":last_reviewed: 2026-01-10\n", ":last_reviewed: 2026-01-10\n:supersedes: REC_TEC_02\n"),
                            add("docs/index.md", rec("REC_TEC_02", ":supersedes: REC_TEC_01\n"))],
    "ev.dead-link": [sub("docs/index.md", ":based_on: CLM_MAJES_01", ":based_on: CLM_MAJES_01, CLM_NOPE_01")],
    "ev.bad-date": [sub("docs/index.md", "2026-01-10", "2025-02-30")],
    "ev.review-overdue": [sub("docs/index.md", "2026-01-10", "2024-12-31")],
    "ev.grade-incoherent": [add("docs/guideline.toml", '\n[grading.requirements.A]\nlevels = ["I"]\n'),
                            sub("docs/index.md", ":level: I", ":level: II")],
    "ev.grade-strong-low-certainty": [put("docs/guideline.toml", GRADE_TOML),
                                      sub("docs/index.md", ":grade: A\n:level: I",
                                          ":strength: strong\n:direction: for\n:certainty: very low")],
    "ev.gps-no-rationale": [add("docs/index.md", GPS_WITHOUT_RATIONALE)],
    "ev.assertion-missing": [sub("docs/index.md", ":verification: verified\n", "")],
    "ev.corroboration": [sub("docs/index.md", ":verification: verified", ":assertion: corroborated")],
    "ev.contradicted-uncorrected": [sub("docs/index.md", ":verification: verified", ":assertion: contradicted")],
    "ev.claim-unfaithful": [add("docs/guideline.toml", "\n[faithfulness]\n"),
                            sub("docs/index.md", "```{claim} Response rate", "```{claim} Response rate of 70%")],
    "safe.raw-html": [add("docs/index.md", "\nDose <img src=x onerror=alert(1)> weekly.\n")],
    "safe.raw-directive": [add("docs/index.md", "\n```{raw} html\n<script>alert(1)</script>\n```\n")],
    "safe.include-outside": [add("docs/index.md", "\n```{include} ../../../etc/passwd\n```\n")],
    "lock.syntax": [put("references.lock.json", '{"format": 1, "entries": {')],
    "lock.unverified": [put("references.lock.json", None)],
    "lock.drift": [sub("references.bib", "number = {6}", "number = {7}")],
    "lock.retracted": [put("references.lock.json", lock_text(status="retracted", notices=[{"type": "retraction"}]))],
    "lock.not-found": [put("references.lock.json", lock_text(status="not-found", problems=["doi: 404"]))],
    "bib.limit": [add("references.bib", "@string{s0 = \"xxxxxxxx\"}\n"
                      + "".join(f"@string{{s{i} = s{i - 1} # s{i - 1}}}\n" for i in range(1, 25)))],
    "lock.mismatch": [put("references.lock.json", lock_text(status="mismatch", mismatches=["crossref: volume 387 vs 388"]))],
    "lock.stale": [put("references.lock.json", lock_text().replace('"entries": {', '"entries": {"gone2019": {}, '))],
    "surv.config": [surveillance(toml=SURV_TOML.replace("topics", "topic"))],
    "surv.log": [surveillance(SURV_RUN, '{"event": "hit", "id": ')],
    "surv.retracted-source": [surveillance(SURV_RUN, surv_hit("DOI:10.1056/nejmoa2203478@retraction", "retraction",
                                                              cited="doi:10.1056/nejmoa2203478"))],
    "surv.evidence-changed": [surveillance(SURV_RUN, surv_hit("DOI:10.1056/nejmoa2203478@expression-of-concern",
                                                              "expression of concern", cited="doi:10.1056/nejmoa2203478"))],
    "surv.overdue": [surveillance(dict(SURV_RUN, date="2026-01-02"))],
    "surv.never-run": [surveillance()],
    "surv.untriaged": [surveillance(SURV_RUN, surv_hit())],
    "surv.unknown-rec": [surveillance(SURV_RUN, toml=SURV_TOML.replace('topics = ["TEC"]', 'topics = ["TEC", "EMD"]'))],
    "surv.trigger": [surveillance(SURV_RUN), put("docs/editions.toml", EDITION_TRIGGERED)],
}

# Proven against a loopback server in test_online.py.
ONLINE_RULES = {"online.retracted", "online.not-found", "online.mismatch", "online.journal-mismatch",
                "online.unavailable", "online.malformed"}
# Proven with a Sphinx read of a project in test_gate.py.
SPHINX_RULES = {"build.aborted"}


def test_every_rule_has_a_fixture():
    assert set(CASES) | ONLINE_RULES | SPHINX_RULES == set(RULES)


def test_valid_repository_passes_every_rule(repo):
    result = check(repo())
    assert [str(f) for f in result.findings] == []
    assert result.summary["claims"]["verified"] == 1
    assert result.summary["quotes_found"] == 1
    assert result.summary["references"] == {"total": 1, "verified": 1, "unverified": 0, "retracted": 0}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers(rule, repo):
    files = base_files()
    for mutate in CASES[rule]:
        mutate(files)
    result = check(repo(files))
    hits = [f for f in result.findings if f.rule == rule]
    assert hits, f"{rule} not reported; got {[str(f) for f in result.findings]}"
    for f in hits:
        assert f.severity == RULES[rule].severity
        assert f.file and f.message and f.hint
    if RULES[rule].severity != "info" and rule not in ("lock.syntax",):
        assert all(f.line > 0 for f in hits), [str(f) for f in hits]


def test_second_claim_fixture_passes_when_sound(repo):
    files = base_files()
    second_claim()(files)
    findings = check(repo(files)).findings
    assert [str(f) for f in findings if f.severity != "info"] == []
    assert [f.rule for f in findings] == ["lock.unverified"]  # blog2026 has no identifier
