"""Run every check; return findings and summary counts.

Two entry points share one core (:func:`evaluate`): :func:`run_check` reads the
repository (CLI and script), :func:`check_collected` takes the needs sphinx-needs
collected (Sphinx build). Both serve unchanged inputs from the content-hash cache.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import GuidelineError
from ..grading import SETTINGS_FILE, Settings, load_settings
from . import bibfile, evidence, identifiers, lock as lockmod
from .cache import Hasher, ResultCache
from .findings import SEVERITIES, Finding
from .needs_source import Citation, Need, iter_documents, scan_file
from .online import Client, OnlineConfig
from .rules import finding

CACHE_DIR = ".guideline-cache"
# Checks owned by other packages, as importable modules: each has ``check(opts, needs, entries)``
# returning findings and ``inputs(opts)`` naming the files it reads (part of the cache key).
EXTRA_CHECKS = ["guideline.surveillance.impact"]
_FOLD = re.compile(r"\\[A-Za-z]+|[^\w]+")


def edition_date(value: str | None = None) -> dt.date:
    """The edition date: an explicit value, ``GUIDELINE_EDITION_DATE``, or today."""
    text = value or os.environ.get("GUIDELINE_EDITION_DATE", "")
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise GuidelineError("GUIDELINE_EDITION_DATE", 0, "settings.edition-date",
                             f"edition date {text!r} is not YYYY-MM-DD") from None


@dataclass
class Options:
    root: Path
    docs: Path | None = None
    bibs: list[Path] = field(default_factory=list)
    lock: Path | None = None
    edition: dt.date | None = None
    online: bool = False
    write_lock: bool = True
    online_config: OnlineConfig | None = None
    use_cache: bool = True
    review_interval_days: int | None = None
    contact: str | None = None
    # The grading scheme and its requirements (read from docs/guideline.toml when present).
    settings: Settings | None = None
    # Run the build's Sphinx read (the full gate); None: when docs/ holds a conf.py.
    sphinx: bool | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.docs = Path(self.docs).resolve() if self.docs else self.root / "docs"
        self.bibs = [Path(b).resolve() for b in self.bibs] or [self.root / "references.bib"]
        self.lock = Path(self.lock).resolve() if self.lock else self.root / "references.lock.json"
        self.edition = self.edition or edition_date()
        if self.settings is None and (self.docs / SETTINGS_FILE).is_file():
            self.settings = load_settings(self.docs)
        if self.review_interval_days is None or self.contact is None:
            settings = self.settings or load_settings(self.docs)
            if self.review_interval_days is None:
                self.review_interval_days = settings.review_interval_days
            if self.contact is None:
                self.contact = settings.contact

    def display(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)


@dataclass
class Result:
    findings: list[Finding]
    summary: dict[str, Any]

    def count(self, at_least: str) -> int:
        rank = SEVERITIES.index(at_least)
        return sum(1 for f in self.findings if SEVERITIES.index(f.severity) >= rank)

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        return cls([Finding.from_dict(f) for f in data["findings"]], data["summary"])


def _common_key(opts: Options) -> Hasher:
    hasher = Hasher()
    hasher.add("edition", opts.edition.isoformat()).add("interval", str(opts.review_interval_days))
    for bib in opts.bibs:
        hasher.add_file(f"bib:{opts.display(bib)}", bib)
    hasher.add_file("lock", opts.lock)
    settings_file = opts.docs / SETTINGS_FILE
    if settings_file.is_file():
        hasher.add_file("settings", settings_file)
    for module in _extra_checks():
        for path in module.inputs(opts):
            hasher.add_file(f"extra:{opts.display(path)}", path)
    seeds = opts.root / "seeds"
    if seeds.is_dir():
        hasher.add_files("seed", sorted(p for p in seeds.rglob("*") if p.is_file()), opts.root)
    return hasher


def _extra_checks() -> list[Any]:
    import importlib

    return [importlib.import_module(name) for name in EXTRA_CHECKS]


def _from_cache(cache: ResultCache, key: str) -> Result | None:
    cached = cache.get(key)
    if cached is None:
        return None
    result = Result.from_json(cached)
    result.summary["cached"] = True
    return result


def run_check(opts: Options) -> Result:
    """The standalone check: read docs, .bib, seeds and lock under ``opts.root``.

    With a Sphinx project (``docs/conf.py``) it runs the build's own read and resolve
    (:mod:`.sphinx_read`), so every rule the build enforces is reported here with the same
    rule id, file and line; without one (or with ``sphinx=False``) it reads the MyST
    sources directly, which is faster but checks only the validator's rules."""
    from .sphinx_read import has_sphinx_project

    if opts.sphinx is None:
        opts.sphinx = has_sphinx_project(opts.docs)
    if opts.sphinx:
        return _run_with_sphinx(opts)
    return _run_sources(opts)


def _run_with_sphinx(opts: Options) -> Result:
    from .cache import toolchain_fingerprint
    from .sphinx_read import merge, read_project

    cache = ResultCache(opts.root / CACHE_DIR)
    key = None
    if opts.use_cache and not opts.online:
        hasher = _common_key(opts).add("mode", "sphinx-read").add("toolchain", toolchain_fingerprint())
        hasher.add("env", json.dumps({n: os.environ.get(n, "") for n in sorted(os.environ)
                                      if n.startswith("GUIDELINE_")}))
        hasher.add_files("docs", sorted(p for p in opts.docs.rglob("*") if p.is_file() and not _ignored(p, opts.docs)),
                         opts.root)
        key = hasher.hexdigest()
        if (hit := _from_cache(cache, key)) is not None:
            return hit
    read = read_project(opts.docs, opts.root, opts.edition.isoformat())
    if read.aborted:  # Sphinx stopped: the validator still checks what it can read itself
        base = _run_sources(Options(**{**opts.__dict__, "sphinx": False, "use_cache": False}))
    else:
        base = evaluate(opts, read.needs, read.citations, read.extra, documents=read.documents)
    result = _recount(Result(merge(base.findings, read.warnings), base.summary))
    if key:
        cache.put(key, result.to_json())
    return result


def _ignored(path: Path, docs: Path) -> bool:
    """Build output and editor or VCS litter under docs/ is no input of the build."""
    parts = path.relative_to(docs).parts
    return parts[0] in ("_build",) or any(p.startswith(".") or p == "__pycache__" for p in parts)


def _recount(result: Result) -> Result:
    result.findings.sort(key=Finding.sort_key)
    severities = Counter(f.severity for f in result.findings)
    result.summary["findings"] = {s: severities.get(s, 0) for s in reversed(SEVERITIES)}
    result.summary["by_rule"] = dict(sorted(Counter(f.rule for f in result.findings).items()))
    return result


def _run_sources(opts: Options) -> Result:
    """The validator alone, on the MyST sources as written."""
    documents = iter_documents(opts.docs) if opts.docs.is_dir() else []
    cache = ResultCache(opts.root / CACHE_DIR)
    key = None
    if opts.use_cache and not opts.online:
        hasher = _common_key(opts).add("mode", "source")
        texts = {}
        for path in documents:
            data = path.read_bytes()
            texts[path] = data
            hasher.add(f"doc:{opts.display(path)}", data)
        key = hasher.hexdigest()
        if (hit := _from_cache(cache, key)) is not None:
            return hit
    needs: list[Need] = []
    citations: list[Citation] = []
    extra: list[Finding] = []
    for path in documents:
        raw = texts.get(path) if key else None
        text = None
        if raw is not None:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = None
        scan = scan_file(path, opts.root, opts.docs, text)
        needs.extend(scan.needs)
        citations.extend(scan.citations)
        extra.extend(scan.findings)
    result = evaluate(opts, needs, citations, extra, documents=len(documents))
    if key:
        cache.put(key, result.to_json())
    return result


def check_collected(opts: Options, needs: list[Need], citations: list[Citation], extra: list[Finding],
                    documents: int) -> Result:
    """The in-build check: needs and citations as the Sphinx build collected them."""
    cache = ResultCache(opts.root / CACHE_DIR)
    key = None
    if opts.use_cache:
        hasher = _common_key(opts).add("mode", "sphinx").add("docs", str(documents))
        hasher.add("needs", json.dumps([n.to_dict() for n in needs], sort_keys=True))
        hasher.add("cites", json.dumps([(c.key, c.file, c.line) for c in citations]))
        hasher.add("extra", json.dumps([f.to_dict() for f in extra], sort_keys=True))
        key = hasher.hexdigest()
        if (hit := _from_cache(cache, key)) is not None:
            return hit
    result = evaluate(opts, needs, citations, extra, documents=documents)
    if key:
        cache.put(key, result.to_json())
    return result


def _fold_title(title: str) -> str:
    return " ".join(_FOLD.sub(" ", title.replace("{", "").replace("}", "")).casefold().split())


def _first_author(entry: bibfile.BibEntry) -> str:
    first = re.split(r"\s+and\s+", entry.get("author").strip(), maxsplit=1)[0]
    surname = first.split(",")[0] if "," in first else (first.split() or [""])[-1]
    return _fold_title(surname)


def _distinct(entry: bibfile.BibEntry, other: bibfile.BibEntry) -> bool:
    """Same title and year, but provably different works (different DOIs or first authors)."""
    doi, other_doi = entry.get("doi").strip().lower(), other.get("doi").strip().lower()
    if doi and other_doi and doi != other_doi:
        return True
    mine, theirs = _first_author(entry), _first_author(other)
    return bool(mine and theirs and mine != theirs)


def check_bibliography(files: list[bibfile.BibFile], edition: dt.date) -> tuple[dict[str, bibfile.BibEntry], list[Finding], int]:
    out: list[Finding] = []
    entries: dict[str, bibfile.BibEntry] = {}
    folded_keys: dict[str, bibfile.BibEntry] = {}
    by_doi: dict[str, bibfile.BibEntry] = {}
    by_title: dict[tuple[str, str], bibfile.BibEntry] = {}
    declared_missing = 0
    for bib in files:
        out.extend(bib.findings)
        for key, entry in bib.entries.items():
            other = folded_keys.get(key.lower())
            if other is not None:
                out.append(finding("bib.duplicate-key", entry.file, entry.line,
                                   f"key {key!r} is already defined in {other.file}:{other.line}"))
                continue
            folded_keys[key.lower()] = entry
            entries[key] = entry
            field_findings = bibfile.check_entry_fields(entry)
            declared_missing += sum(1 for f in field_findings if f.rule == "bib.unverified-field")
            out.extend(field_findings)
            out.extend(identifiers.check_identifiers(entry, edition))
            doi = entry.get("doi").strip().lower()
            if doi:
                first = by_doi.setdefault(doi, entry)
                if first is not entry:
                    out.append(finding("bib.duplicate-work", entry.file, entry.line,
                                       f"{key} has the DOI of {first.key} ({first.file}:{first.line})"))
                    continue
            title, year = _fold_title(entry.get("title")), entry.get("year").strip()
            if title and year:  # an unknown year is not "the same year"
                first = by_title.setdefault((title, year), entry)
                if first is not entry and not _distinct(entry, first):
                    out.append(finding("bib.duplicate-work", entry.file, entry.line,
                                       f"{key} has the title and year of {first.key} ({first.file}:{first.line})"))
    return entries, out, declared_missing


def evaluate(opts: Options, needs: list[Need], citations: list[Citation], extra: list[Finding],
             documents: int = 0) -> Result:
    findings: list[Finding] = list(extra)
    files = [bibfile.parse_bib(b, opts.display(b)) for b in opts.bibs]
    entries, bib_findings, declared_missing = check_bibliography(files, opts.edition)
    findings.extend(bib_findings)

    # Citations: MyST roles and every need's ``cite``.
    all_cites = list(citations) + [Citation(n.get("cite").strip(), n.file, n.line) for n in needs if n.get("cite").strip()]
    known = {k.lower() for k in entries}
    cited: set[str] = set()
    # A refused .bib (bib.limit) has no entries: one finding says why, not one per citation.
    refused = any(f.rule == "bib.limit" for f in bib_findings)
    for cite in all_cites if not refused else []:
        if cite.key.lower() in known:
            cited.add(cite.key.lower())
        else:
            findings.append(finding("cite.unknown-key", cite.file, cite.line, f"{cite.key} is not in the .bib"))
    for key, entry in entries.items():
        if key.lower() not in cited:
            findings.append(finding("bib.uncited", entry.file, entry.line, f"{key} is never cited"))

    ev_findings, ev_counts = evidence.check_evidence(needs, entries, opts.root, opts.edition,
                                                     opts.review_interval_days or 365, opts.settings)
    findings.extend(ev_findings)
    for module in _extra_checks():
        findings.extend(module.check(opts, needs, entries))

    lock_display = opts.display(opts.lock)
    if opts.online:
        old = lockmod.read_lock(opts.lock, findings, lock_display)
        client = Client(opts.online_config or OnlineConfig(contact=opts.contact or ""))
        online_findings, new_lock = lockmod.verify_online(entries, client, dt.date.today(), old)
        findings.extend(online_findings)
        if opts.write_lock:
            merged = {k: v for k, v in old.items() if k in entries}
            merged.update(new_lock)
            lockmod.write_lock(opts.lock, merged)
            lock_entries = merged
        else:
            lock_entries = {**old, **new_lock}
        lock_findings, lock_counts = lockmod.check_lock(entries, lock_entries, lock_display)
        # Online findings already say it; keep the lock's counts and unverified entries only.
        findings.extend(f for f in lock_findings if f.rule in ("lock.unverified", "lock.stale"))
    else:
        lock_entries = lockmod.read_lock(opts.lock, findings, lock_display)
        lock_findings, lock_counts = lockmod.check_lock(entries, lock_entries, lock_display)
        findings.extend(lock_findings)

    findings.sort(key=Finding.sort_key)
    severities = Counter(f.severity for f in findings)
    summary = {
        "edition_date": opts.edition.isoformat(),
        "documents": documents,
        "bib_entries": len(entries),
        "needs": len(needs),
        "recommendations": ev_counts.recs,
        "recommendations_supported": ev_counts.recs_supported,
        "claims": dict(ev_counts.claims),
        "assertions": dict(ev_counts.assertions),
        "good_practice_statements": ev_counts.good_practice_statements,
        "quotes_checked": ev_counts.quotes_checked,
        "quotes_found": ev_counts.quotes_found,
        "references": {"total": lock_counts.references, "verified": lock_counts.verified,
                       "unverified": lock_counts.unverified, "retracted": lock_counts.retracted},
        "fields_declared_missing": declared_missing,
        "findings": {s: severities.get(s, 0) for s in reversed(SEVERITIES)},
        "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
        "online": opts.online,
        "cached": False,
    }
    return Result(findings, summary)
