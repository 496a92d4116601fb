"""Offline identifier checks: DOI, ISSN, PMID, NCT, pages, year, volume calendar, Elsevier PII.

Check digits and identifier syntax come from maintained libraries
(python-stdnum for ISSN, idutils for DOI and PMID); the volume calendar is data
(``data/volumes.toml``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import idutils
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError

from .bibfile import BibEntry
from .findings import Finding
from .rules import finding

NCT_RE = re.compile(r"^NCT[0-9]{8}$")
_DOI_PREFIX = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_PII_RE = re.compile(
    r"^10\.1016/S?([0-9]{4})-?([0-9]{3}[0-9Xx])\(?([0-9]{2})\)?([0-9]{5})-?([0-9Xx])$")
_PAGE_SPLIT = re.compile(r"\s*(?:-+|\u2013|\u2014)\s*")
_PAGE_PART = re.compile(r"^([A-Za-z]*)([0-9]+)$")
_NAME_FOLD = re.compile(r"[^a-z0-9]+")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def fold_name(name: str) -> str:
    return _NAME_FOLD.sub(" ", name.lower().replace("{", "").replace("}", "")).strip()


@dataclass(frozen=True)
class VolumeCalendar:
    key: str
    base_year: int
    base_volume: int
    per_year: int

    def volumes(self, year: int) -> range:
        first = self.base_volume + self.per_year * (year - self.base_year)
        return range(first, first + self.per_year)


@lru_cache(maxsize=4)
def load_calendars(path: str | None = None) -> tuple[dict[str, VolumeCalendar], dict[str, VolumeCalendar]]:
    """Calendars by folded journal name and by ISSN (digits only)."""
    file = Path(path) if path else Path(__file__).with_name("data") / "volumes.toml"
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    by_name: dict[str, VolumeCalendar] = {}
    by_issn: dict[str, VolumeCalendar] = {}
    for key, spec in data.items():
        cal = VolumeCalendar(key, int(spec["base_year"]), int(spec["base_volume"]), int(spec["volumes_per_year"]))
        for name in spec.get("names", []):
            by_name[fold_name(name)] = cal
        for number in spec.get("issn", []):
            by_issn[stdnum_issn.compact(number)] = cal
    return by_name, by_issn


def is_bare_doi(value: str) -> bool:
    return bool(_DOI_PREFIX.match(value)) and bool(idutils.is_doi(value))


@lru_cache(maxsize=4096)
def _issn_problem(number: str) -> str:
    """python-stdnum's verdict on one ISSN (journals repeat: memoised)."""
    try:
        stdnum_issn.validate(number)
    except ValidationError as exc:
        return str(exc)
    return ""


def split_issns(value: str) -> list[str]:
    return [part for part in re.split(r"[,;\s]+", value) if part]


def parse_pages(value: str) -> tuple[tuple[str, int], tuple[str, int]] | None | str:
    """``((prefix, start), (prefix, end))`` for a range, ``None`` for a single page or
    article number, or an error message."""
    parts = [p for p in _PAGE_SPLIT.split(value.strip()) if p]
    if len(parts) == 1 and not _PAGE_SPLIT.search(value.strip()):
        return None
    if len(parts) != 2:
        return f"pages {value!r} is not a range start--end"
    start, end = (_PAGE_PART.match(p) for p in parts)
    if not start or not end:
        return None if not (start or end) else f"pages {value!r} mixes page numbers and other text"
    return (start.group(1), int(start.group(2))), (end.group(1), int(end.group(2)))


def entry_year(entry: BibEntry) -> int | None:
    value = entry.get("year").strip()
    return int(value) if re.fullmatch(r"[0-9]{4}", value) else None


def check_identifiers(entry: BibEntry, edition: dt.date) -> list[Finding]:
    out: list[Finding] = []
    f, line, key = entry.file, entry.line, entry.key

    doi = entry.get("doi").strip()
    if doi and not is_bare_doi(doi):
        out.append(finding("id.doi", f, line, f"{key}: doi {doi!r} is not a bare DOI 10.<registrant>/<suffix>"))

    issns = split_issns(entry.get("issn"))
    for number in issns:
        problem = _issn_problem(number)
        if problem:
            out.append(finding("id.issn", f, line, f"{key}: ISSN {number!r}: {problem}"))

    for pmid in _identifier_values(entry, "pmid", ("pubmed", "pmid")):
        if not (pmid.isascii() and pmid.isdigit() and idutils.is_pmid(pmid)) or pmid.startswith("0") or len(pmid) > 9:
            out.append(finding("id.pmid", f, line, f"{key}: PMID {pmid!r} is not a PubMed ID (1-9 digits, no leading zero)"))
    for nct in _identifier_values(entry, "nct", ("clinicaltrials", "clinicaltrials.gov", "nct")):
        if not NCT_RE.match(nct):
            out.append(finding("id.nct", f, line, f"{key}: trial number {nct!r} is not NCT followed by 8 digits"))

    pages = entry.get("pages")
    if pages:
        parsed = parse_pages(pages)
        if isinstance(parsed, str):
            out.append(finding("id.pages", f, line, f"{key}: {parsed}"))
        elif parsed is not None:
            (p1, start), (p2, end) = parsed
            if p1 != p2 and p2:
                out.append(finding("id.pages", f, line, f"{key}: pages {pages!r} change prefix ({p1!r} to {p2!r})"))
            elif start > end:
                out.append(finding("id.pages", f, line, f"{key}: pages {pages!r} start after they end"))

    raw_year = entry.get("year").strip()
    year = entry_year(entry)
    if raw_year and year is None:
        out.append(finding("id.year", f, line, f"{key}: year {raw_year!r} is not a four-digit year"))
    elif year is not None and year > edition.year:
        out.append(finding("id.year", f, line, f"{key}: year {year} is after the edition date {edition.isoformat()}"))

    if year is not None:
        out.extend(_check_volume(entry, year, issns))
        if doi:
            out.extend(_check_pii(entry, doi, year, issns))
    return out


def _identifier_values(entry: BibEntry, field: str, eprint_types: tuple[str, ...]) -> list[str]:
    if field not in entry.fields and "eprint" not in entry.fields:
        return []
    values = [v for v in re.split(r"[,;\s]+", entry.get(field)) if v]
    if entry.get("eprinttype").strip().lower() in eprint_types and entry.get("eprint").strip():
        values.append(entry.get("eprint").strip())
    return values


def entry_identifiers(entry: BibEntry) -> dict[str, str]:
    """The registry identifiers of an entry (first of each kind), as the lock keys them."""
    ids = {}
    if entry.get("doi").strip():
        ids["doi"] = entry.get("doi").strip().lower()
    pmids = _identifier_values(entry, "pmid", ("pubmed", "pmid"))
    if pmids:
        ids["pmid"] = pmids[0]
    ncts = _identifier_values(entry, "nct", ("clinicaltrials", "clinicaltrials.gov", "nct"))
    if ncts:
        ids["nct"] = ncts[0].upper()
    return ids


def _check_volume(entry: BibEntry, year: int, issns: list[str]) -> list[Finding]:
    volume = entry.get("volume").strip()
    if not volume.isdigit():
        return []
    by_name, by_issn = load_calendars()
    cal = by_name.get(fold_name(entry.get("journal")))
    for number in issns:
        cal = cal or by_issn.get(stdnum_issn.compact(number))
    if cal is None:
        return []
    allowed = cal.volumes(year)
    month = _MONTHS.get(entry.get("month").strip().lower()[:3]) or (
        int(entry.get("month")) if entry.get("month").strip().isdigit() else None)
    if month and cal.per_year > 1 and 1 <= month <= 12:
        index = (month - 1) * cal.per_year // 12
        allowed = range(allowed.start + index, allowed.start + index + 1)
    if int(volume) in allowed:
        return []
    expected = " or ".join(str(v) for v in allowed)
    when = f"{year}" + (f" (month {month})" if month and cal.per_year > 1 else "")
    return [finding("id.volume-year", entry.file, entry.line,
                    f"{entry.key}: volume {volume} of {entry.get('journal') or cal.key} does not match {when}: "
                    f"expected {expected}")]


def _check_pii(entry: BibEntry, doi: str, year: int, issns: list[str]) -> list[Finding]:
    match = _PII_RE.match(doi)
    if not match:
        return []
    pii_issn = f"{match.group(1)}-{match.group(2).upper()}"
    pii_year = 2000 + int(match.group(3)) if int(match.group(3)) < 70 else 1900 + int(match.group(3))
    out: list[Finding] = []
    by_name, by_issn = load_calendars()
    known = {stdnum_issn.compact(n) for n in issns}
    journals = {by_issn[n] for n in known if n in by_issn}
    if not issns and fold_name(entry.get("journal")) in by_name:
        journals.add(by_name[fold_name(entry.get("journal"))])
    # A journal has print and electronic ISSNs: the PII may carry either.
    for cal in journals:
        known |= {k for k, v in by_issn.items() if v is cal}
    if known and stdnum_issn.compact(pii_issn) not in known:
        has = ", ".join(issns) if issns else f"journal {entry.get('journal')}"
        out.append(finding("id.pii", entry.file, entry.line,
                           f"{entry.key}: the PII in doi {doi} names ISSN {pii_issn}, the entry has {has}"))
    # Articles are often received in the year before the issue that prints them.
    if not (year - 1 <= pii_year <= year):
        out.append(finding("id.pii", entry.file, entry.line,
                           f"{entry.key}: the PII in doi {doi} dates from {pii_year}, the entry says {year}"))
    return out
