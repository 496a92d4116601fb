"""references.lock.json: what the registries said about each reference, and when.

``guideline check --online`` writes it; offline runs compare the .bib with it and
report drift, recorded retractions, and every entry never verified.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from .bibfile import BibEntry
from .evidence import bib_text
from .findings import Finding
from .identifiers import entry_identifiers, parse_pages
from .online import Client, DeadlineExceeded, MalformedRecord, NotFound, OnlineError
from .rules import finding

LOCK_FORMAT = 1
_TAG = re.compile(r"<[^>]+>")
_WORDS = re.compile(r"[^\w]+")


@dataclass
class LockCounts:
    references: int = 0
    verified: int = 0
    unverified: int = 0
    retracted: int = 0
    unverified_keys: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    return " ".join(_WORDS.sub(" ", _TAG.sub("", text).casefold()).split())


def _first_last(pages: str) -> tuple[str, str]:
    parts = [p for p in re.split(r"\s*(?:-+|\u2013)\s*", pages.strip()) if p]
    if not parts:
        return "", ""
    first = parts[0]
    last = parts[1] if len(parts) > 1 else ""
    if last and len(last) < len(first) and last.isdigit() and first.isdigit():
        last = first[: len(first) - len(last)] + last  # MEDLINE style 625-38
    return first.lower(), last.lower()


def compare(entry: BibEntry, record: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(mismatches, journal mismatches) between a .bib entry and a registry record."""
    bad: list[str] = []
    journal_bad: list[str] = []
    if record.get("title") and entry.get("title") and fold(bib_text(entry.get("title"))) != fold(record["title"]):
        bad.append(f"title {bib_text(entry.get('title'))!r} vs {record['title']!r}")
    journal = entry.get("journal")
    names = {fold(record.get("journal", "")), fold(record.get("journal_short", ""))} - {""}
    if journal and names and fold(bib_text(journal)) not in names:
        journal_bad.append(f"journal {journal!r} vs {record.get('journal') or record.get('journal_short')!r}")
    year = entry.get("year").strip()
    if year.isdigit() and record.get("years") and int(year) not in record["years"]:
        bad.append(f"year {year} vs {'/'.join(str(y) for y in record['years'])}")
    for name, key in (("volume", "volume"), ("number", "issue")):
        mine, theirs = entry.get(name).strip(), str(record.get(key) or "").strip()
        if mine and theirs and mine.lower() != theirs.lower():
            bad.append(f"{name} {mine} vs {theirs}")
    if entry.get("pages") and record.get("pages"):
        mine, theirs = _first_last(entry.get("pages")), _first_last(record["pages"])
        if mine[0] != theirs[0] or (mine[1] and theirs[1] and mine[1] != theirs[1]):
            bad.append(f"pages {entry.get('pages')} vs {record['pages']}")
    return bad, journal_bad


def read_lock(path: Path, findings: list[Finding], display: str) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["entries"]
        if not isinstance(entries, dict):
            raise TypeError("entries is not an object")
        return entries
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        findings.append(finding("lock.syntax", display, line, f"cannot read the lock: {exc}"))
        return {}


def check_lock(entries: dict[str, BibEntry], lock: dict[str, Any], lock_display: str) -> tuple[list[Finding], LockCounts]:
    out: list[Finding] = []
    counts = LockCounts(references=len(entries))
    for key, entry in entries.items():
        ids = entry_identifiers(entry)
        record = lock.get(key)
        if not ids:
            reason = "has no DOI, PMID or NCT number to verify"
        elif not isinstance(record, dict):
            reason = "was never verified online"
        elif record.get("identifiers") != ids:
            reason = "has identifiers that changed since it was verified"
        else:
            reason = ""
        if reason:
            counts.unverified += 1
            counts.unverified_keys.append(key)
            out.append(finding("lock.unverified", entry.file, entry.line, f"{key} {reason}"))
            continue
        status = record.get("status")
        retrieved = record.get("retrieved", "?")
        if status == "retracted":
            counts.retracted += 1
            notices = ", ".join(n.get("type", "") for n in record.get("notices", []))
            out.append(finding("lock.retracted", entry.file, entry.line,
                               f"{key}: registry reported {notices or 'a retraction'} (retrieved {retrieved})"))
            continue
        if status == "mismatch":
            counts.unverified += 1
            counts.unverified_keys.append(key)
            out.append(finding("lock.mismatch", entry.file, entry.line,
                               f"{key}: the registry contradicted the entry on {retrieved}: "
                               f"{'; '.join(str(m) for m in record.get('mismatches', [])) or 'metadata differ'}"))
            continue
        if status != "verified" and status != "not-found":
            counts.unverified += 1
            counts.unverified_keys.append(key)
            out.append(finding("lock.unverified", entry.file, entry.line,
                               f"{key} has the lock status {str(status)[:40]!r}, not verified"))
            continue
        if status == "not-found":
            out.append(finding("lock.not-found", entry.file, entry.line,
                               f"{key}: {'; '.join(record.get('problems', [])) or 'identifier unknown'} "
                               f"(retrieved {retrieved})"))
            continue
        drift = []
        for service, data in (record.get("records") or {}).items():
            if service in ("crossref", "pubmed") and isinstance(data, dict):
                bad, journal_bad = compare(entry, data)
                drift.extend(f"{service}: {d}" for d in bad + journal_bad)
        if drift:
            counts.unverified += 1
            counts.unverified_keys.append(key)
            out.append(finding("lock.drift", entry.file, entry.line,
                               f"{key} differs from the metadata verified on {retrieved}: " + "; ".join(drift)))
        else:
            counts.verified += 1
    for key in sorted(set(lock) - set(entries)):
        out.append(finding("lock.stale", lock_display, 0, f"lock entry {key} is not in the .bib"))
    return out, counts


def verify_online(entries: dict[str, BibEntry], client: Client, today: dt.date,
                  old_lock: dict[str, Any]) -> tuple[list[Finding], dict[str, Any]]:
    """Query the registries; return findings and the new lock entries.

    Each reference has its own deadline inside the run's (:class:`Client`). A reference
    whose registries could not all be asked keeps its old lock entry (nothing new was
    learnt); one the registry contradicts is stored as ``mismatch``, never ``verified``.
    """
    out: list[Finding] = []
    lock: dict[str, Any] = {}
    reported_down: set[str] = set()
    pending = [(key, entry, ids) for key, entry in entries.items() if (ids := entry_identifiers(entry))]
    for position, (key, entry, ids) in enumerate(pending):
        try:
            with client.deadline(what=key):
                record, findings, failed = _verify_one(key, entry, ids, client, today, reported_down)
        except DeadlineExceeded as exc:
            # Only the run's deadline escapes _verify_one: stop, say what was left unchecked.
            left = [k for k, _, _ in pending[position:]]
            out.append(finding("online.unavailable", entry.file, entry.line,
                               f"{key}: {exc}; {len(left)} reference(s) not checked: {', '.join(left[:10])}"
                               + (" ..." if len(left) > 10 else "")))
            lock.update({k: old_lock[k] for k in left if k in old_lock})
            break
        out.extend(findings)
        if failed:
            if key in old_lock:
                lock[key] = old_lock[key]  # keep what we knew; nothing new was learnt
            continue
        lock[key] = record
    return out, lock


def _verify_one(key: str, entry: BibEntry, ids: dict[str, str], client: Client, today: dt.date,
                reported_down: set[str]) -> tuple[dict[str, Any], list[Finding], bool]:
    """(lock record, findings, failed) for one reference."""
    out: list[Finding] = []
    record: dict[str, Any] = {"identifiers": ids, "retrieved": today.isoformat(), "records": {},
                              "notices": [], "problems": [], "mismatches": []}
    failed = False
    for kind, service, call in (("doi", "crossref", client.crossref), ("pmid", "pubmed", client.pubmed),
                                ("nct", "clinicaltrials", client.clinicaltrials)):
        if kind not in ids:
            continue
        query = entry.get("doi").strip() if kind == "doi" else ids[kind]  # DOIs as written
        try:
            data = call(query)
        except NotFound as exc:
            record["problems"].append(f"{kind} {ids[kind]}: {exc}")
            out.append(finding("online.not-found", entry.file, entry.line, f"{key}: {kind} {ids[kind]}: {exc}"))
            continue
        except MalformedRecord as exc:
            failed = True
            out.append(finding("online.malformed", entry.file, entry.line, f"{key}: {kind} {ids[kind]}: {exc}"))
            continue
        except DeadlineExceeded as exc:
            if exc.run:
                raise
            failed = True
            out.append(finding("online.unavailable", entry.file, entry.line, f"{key}: {kind}: {exc}"))
            break  # this reference's time is up
        except OnlineError as exc:
            failed = True
            if str(exc) not in reported_down:
                reported_down.add(str(exc))
                out.append(finding("online.unavailable", entry.file, entry.line, f"{key}: {kind}: {exc}"))
            continue
        record["records"][service] = data
        record["notices"].extend(data.get("notices", []))
        if service in ("crossref", "pubmed"):
            bad, journal_bad = compare(entry, data)
            record["mismatches"].extend(f"{service}: {text}" for text in bad)
            for text in bad:
                out.append(finding("online.mismatch", entry.file, entry.line, f"{key}: {service}: {text}"))
            for text in journal_bad:
                out.append(finding("online.journal-mismatch", entry.file, entry.line, f"{key}: {service}: {text}"))
    for notice in record["notices"]:
        out.append(finding("online.retracted", entry.file, entry.line,
                           f"{key}: {notice.get('type')} ({notice.get('relation')} {notice.get('doi', '')})".rstrip()))
    record["status"] = ("retracted" if record["notices"] else "not-found" if record["problems"]
                        else "mismatch" if record["mismatches"] else "verified")
    return record, out, failed


def write_lock(path: Path, entries: dict[str, Any]) -> None:
    data = {"format": LOCK_FORMAT, "generator": "guideline check --online",
            "entries": {k: entries[k] for k in sorted(entries)}}
    # Atomic: a run killed mid-write leaves the old lock or the complete new one.
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
