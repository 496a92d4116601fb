"""Carry a change in the evidence to every recommendation resting on it.

A recommendation rests on the sources its ``based_on`` claims cite (rec ->
claim -> cite key -> the DOI, PMID or NCT number of that .bib entry). A hit
marks a recommendation when:

- it is a retraction or withdrawal of a source the recommendation rests on:
  always (error behind an approved recommendation, warning behind a draft);
- it is an expression of concern on such a source: until the recommendation is
  reviewed (``last_reviewed``) on or after the day the notice was found;
- any other hit (a correction, a posted result or status change of a cited
  study; a new publication or study found by a search covering the
  recommendation's topic) once the panel triages it ``relevant``, until the
  recommendation is reviewed on or after that decision.

Superseded and retired recommendations keep the notice but get an info finding
only. Surveillance itself is checked too: a search whose interval has passed
since its last successful run is overdue (warning); one that never ran is
reported as info, so a fresh repository states it honestly without failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check.bibfile import BibEntry
from ..check.findings import Finding
from ..check.needs_source import Need
from ..check.rules import RULES, finding
from ..errors import GuidelineError
from . import config as configmod, log as logmod, triggers
from .config import CITED, Config
from .log import CONCERN_KINDS, RETRACTION_KINDS, Hit, Log
from .cited import Cited, from_entries

RULED_TYPES = ("rec", "gps")
HISTORIC = ("superseded", "retired")


@dataclass(frozen=True)
class Notice:
    """One change shown on one recommendation."""

    rec: str
    hit: Hit
    text: str
    severity: str
    rule: str
    via: tuple[str, ...] = ()


@dataclass
class Impact:
    notices: dict[str, list[Notice]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _reviewed(need: Need) -> dt.date | None:
    try:
        return dt.date.fromisoformat(need.get("last_reviewed").strip())
    except ValueError:
        return None


def _reviewed_since(need: Need, when: dt.date | None) -> bool:
    reviewed = _reviewed(need)
    return bool(reviewed and when and reviewed >= when)


def _what(hit: Hit, work: str) -> str:
    if hit.kind in RETRACTION_KINDS:
        return f"the cited work {work} was {'retracted' if hit.kind == 'retraction' else 'withdrawn'}"
    if hit.kind in CONCERN_KINDS:
        return f"an expression of concern was published on the cited work {work}"
    if hit.kind == "correction":
        return f"a correction to the cited work {work} was triaged relevant"
    if hit.kind == "results":
        return f"results were posted for the cited study {work}, triaged relevant"
    if hit.kind == "status":
        return f"the status of the cited study {work} changed ({hit.status}), triaged relevant"
    return f"{hit.kind} on {work} triaged relevant"


def _search_what(hit: Hit, title: str) -> str:
    noun = {"publication": "a new publication", "study": "a newly registered study",
            "status": f"a status change ({hit.status}) of a study", "results": "results posted for a study"}
    return f"{noun.get(hit.kind, hit.kind)} found by the search \u201c{title}\u201d was triaged relevant"


def assess(needs: list[Need], cited: Cited, config: Config, log: Log, today: dt.date) -> Impact:
    impact = Impact()
    by_id = {n.id: n for n in needs if n.id}
    recs = [n for n in needs if n.type in RULED_TYPES]

    def rests_on(rec: Need, key: str) -> tuple[str, ...]:
        return tuple(c for c in rec.links.get("based_on", []) if c in by_id and by_id[c].get("cite").strip() == key)

    def mark(rec: Need, hit: Hit, text: str, retraction: bool, via: tuple[str, ...] = (), key: str = "") -> None:
        status = rec.get("status").strip()
        if status in HISTORIC:
            severity = "info"
        elif retraction and status == "approved":
            severity = "error"
        else:
            severity = "warning"
        rule = "surv.retracted-source" if retraction else "surv.evidence-changed"
        notice = Notice(rec.id, hit, text, severity, rule, via)
        impact.notices.setdefault(rec.id, []).append(notice)
        where = f" (via {', '.join(via)}{f', cited as {key}' if key else ''})" if via else ""
        impact.findings.append(finding(
            rule, rec.file, rec.line,
            f"{rec.id} ({status or 'no status'}): evidence changed since last review{where}: {text} "
            f"[{hit.id}, found {hit.found}]", severity=severity))

    for hit in log.hits.values():
        if hit.cited:
            key = cited.key_of(hit.cited)
            if key is None:
                continue  # no longer cited: nothing rests on it
            retraction = hit.kind in RETRACTION_KINDS
            for rec in recs:
                via = rests_on(rec, key)
                if not via:
                    continue
                if retraction:
                    active = True
                elif hit.kind in CONCERN_KINDS:
                    active = hit.state not in ("not relevant", "included") and not _reviewed_since(rec, hit.found_date)
                else:
                    active = hit.state == "relevant" and not _reviewed_since(rec, hit.decided_date)
                if active:
                    # Readers see the work's identifier; the validator's message also names the bib key.
                    mark(rec, hit, _what(hit, hit.cited), retraction, via, key)
        elif hit.state == "relevant":
            searches = [s for s in (config.search(i) for i in hit.searches) if s is not None]
            for rec in recs:
                search = next((s for s in searches if s.covers(rec.id)), None)
                if search and not _reviewed_since(rec, hit.decided_date):
                    mark(rec, hit, _search_what(hit, search.title), retraction=False)

    impact.findings.extend(surveillance_findings(config, log, today, by_id))
    return impact


def surveillance_findings(config: Config, log: Log, today: dt.date, by_id: dict[str, Need]) -> list[Finding]:
    out: list[Finding] = []
    for search_id in config.ids():
        line = config.line_of(search_id)
        interval = config.interval(search_id) or 0
        last = log.last_success(search_id)
        attempts = [r for r in log.runs if search_id in r.searches]
        if last is None and not attempts:
            out.append(finding("surv.never-run", config.file, line,
                               f"search {search_id!r} has never run (every {interval} days); no surveillance "
                               f"result is recorded for it"))
            continue
        since = last or dt.date.fromisoformat(attempts[0].date)
        due = since + dt.timedelta(days=interval)
        if due < today:
            what = f"last ran successfully on {last.isoformat()}" if last else \
                f"has not completed since its first attempt on {since.isoformat()}"
            out.append(finding("surv.overdue", config.file, line,
                               f"search {search_id!r} is overdue: it {what}; every {interval} days, "
                               f"so it was due on {due.isoformat()}"))
    for search in config.searches:
        for rec in search.recommendations:
            if rec not in by_id:
                out.append(finding("surv.unknown-rec", config.file, search.line,
                                   f"search {search.id!r} names {rec}, which does not exist"))
        for topic in search.topics:
            if not any(i.split("_")[1:2] == [topic] for i in by_id if i.startswith(("REC_", "GPS_"))):
                out.append(finding("surv.unknown-rec", config.file, search.line,
                                   f"search {search.id!r} names topic {topic}, which has no recommendation"))
    pending = log.open_hits()
    if pending:
        shown = ", ".join(h.id for h in pending[:5]) + (", ..." if len(pending) > 5 else "")
        out.append(finding("surv.untriaged", config.log_display, pending[0].line,
                           f"{len(pending)} surveillance hit(s) await triage: {shown}"))
    return out


def _as_finding(exc: GuidelineError) -> Finding:
    rule = exc.rule if exc.rule in RULES else "surv.config"
    return finding(rule, exc.file, exc.line, exc.message, exc.hint or None)


def load(docs: Path, root: Path) -> tuple[Config, Log] | None:
    config = configmod.load(docs, root)
    if config is None:
        return None
    return config, logmod.read(config.log, config.log_display)


# -- the validator engine's hook (guideline.check.engine.EXTRA_CHECKS) ------------

def check(opts: Any, needs: list[Need], entries: dict[str, BibEntry]) -> list[Finding]:
    try:
        loaded = load(opts.docs, opts.root)
        if loaded is None:
            return []
        config, log = loaded
        found = assess(needs, from_entries(entries), config, log, opts.edition).findings
        found.extend(triggers.check(opts.root, log))
        return found
    except GuidelineError as exc:
        return [_as_finding(exc)]


def inputs(opts: Any) -> list[Path]:
    """Files the check reads beyond docs and .bib (part of the result cache key)."""
    files = [opts.docs / configmod.CONFIG_FILE, opts.root / triggers.REGISTRY]
    try:
        loaded = configmod.load(opts.docs, opts.root)
    except GuidelineError:
        return files
    if loaded is not None:
        files.append(loaded.log)
    return files


__all__ = ["CITED", "Impact", "Notice", "assess", "check", "inputs", "load"]
