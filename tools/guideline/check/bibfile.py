"""Parse .bib files with pybtex (the parser the build uses), keeping entry lines.

Syntax errors become findings located by line; a file that is not UTF-8 is
reported at the first bad byte and parsed with replacement characters, so the
rest of the file is still checked. Never raises on bad input.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, BibliographyDataError, Person
from pybtex.database.input import bibtex as bibtex_input
from pybtex.scanner import PybtexSyntaxError

from .findings import Finding
from .rules import finding

# Required fields per entry type: alternatives separated by "|".
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year", "volume", "pages", "doi"),
    "book": ("author|editor", "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "conference": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "techreport": ("author|institution", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
    "misc": ("title", "year", "url|doi|howpublished|note"),
    "online": ("title", "year", "url"),
}
PERSON_FIELDS = ("author", "editor")
HUGE_FIELD = 100_000

# Hard limits, enforced while pybtex reads the file (by the check and by the build, see
# :func:`check_limits`): a hostile .bib cannot make either run for minutes or fill memory.
MAX_BIB_BYTES = 16_000_000      # a 10,000-entry bibliography is a few MB
MAX_FIELD_CHARS = 1_000_000     # after @string expansion; "@string{b = a # a}" doubles
MAX_BRACE_DEPTH = 32            # real entries nest 3 or 4 deep; pybtex recurses per level


class BibLimitExceeded(Exception):
    """Raised from inside the scanner: stops the parse at once (not a recoverable syntax error)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class LimitedLowLevelParser(bibtex_input.LowLevelParser):
    """pybtex's scanner with a ceiling on each value's length and on brace nesting."""

    def parse_value(self) -> None:
        super().parse_value()
        size = sum(len(part) for part in self.current_value)
        if size > MAX_FIELD_CHARS:
            what = f"@string {self.current_field_name}" if self.current_command_is_string() else \
                f"field {self.current_field_name or '?'}"
            raise BibLimitExceeded(self.command_line(), f"{what} would be {size:,} characters long "
                                                f"(limit {MAX_FIELD_CHARS:,}); refused before parsing on")

    def command_line(self) -> int:
        """Line where the refused entry or @string starts."""
        return self.text.count("\n", 0, self.command_start or 0) + 1

    def current_command_is_string(self) -> bool:
        return self.text[self.command_start or 0:(self.command_start or 0) + 8].lower().startswith("@string")

    def parse_string(self, string_end, level=0, max_level=100):  # type: ignore[override]
        if level > MAX_BRACE_DEPTH:
            raise BibLimitExceeded(self.command_line(), f"braces nested more than {MAX_BRACE_DEPTH} deep; refused")
        return super().parse_string(string_end, level, max_level)


def size_limit(size: int, shown: str) -> list[Finding]:
    if size > MAX_BIB_BYTES:
        return [finding("bib.limit", shown, 0, f"the file has {size:,} bytes (limit {MAX_BIB_BYTES:,}); refused")]
    return []


def check_limits(path: Path | str, display: str | None = None) -> list[Finding]:
    """``bib.limit`` findings for one .bib file (none if it is within every limit).

    The one limit check: the build calls it before sphinxcontrib-bibtex parses the file
    (``sphinxext/bibcache.py``); :func:`parse_bib` applies the same limits while it parses.
    Syntax errors are left to the parsers that report them."""
    shown = display or str(path)
    try:
        size = Path(path).stat().st_size
    except OSError:
        return []  # a missing file is reported by whoever reads it
    if over := size_limit(size, shown):
        return over
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    scanner = LimitedLowLevelParser(text, handle_error=lambda error: None, filename=shown,
                                    macros=dict(bibtex_input.month_names))
    try:
        for _ in scanner:
            pass
    except BibLimitExceeded as exc:
        return [finding("bib.limit", shown, exc.line, exc.message)]
    return []


@dataclass
class BibEntry:
    key: str
    type: str
    fields: dict[str, str]
    line: int
    file: str

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def has(self, name: str) -> bool:
        return bool(self.fields.get(name, "").strip())

    def declared_missing(self) -> set[str]:
        if "missing" not in self.fields:
            return set()
        return {f.strip().lower() for f in re.split(r"[,;\s]+", self.get("missing")) if f.strip()}


@dataclass
class BibFile:
    path: str
    entries: dict[str, BibEntry] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class _LineParser(bibtex_input.Parser):
    """pybtex's own Parser, recording the line where each command starts."""

    def parse_string(self, text: str) -> BibliographyData:
        self.unnamed_entry_counter = 1
        self.command_start = 0
        self.key_lines: list[tuple[str, int]] = []
        scanner = LimitedLowLevelParser(
            text, keyless_entries=self.keyless_entries, handle_error=self.handle_error,
            want_entry=self.data.want_entry, filename=self.filename, macros=self.macros,
        )
        line, pos = 1, 0
        for entry in scanner:
            start = scanner.command_start or 0
            line += text.count("\n", pos, start)
            pos = start
            entry_type = entry[0].lower()
            if entry_type == "string":
                continue
            if entry_type == "preamble":
                self.process_preamble(*entry[1])
                continue
            self.key_lines.append((entry[1][0], line))
            self.current_line = line
            self.process_entry(entry[0], *entry[1])
        return self.data


def _decode(raw: bytes, path: str, findings: list[Finding]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        findings.append(finding("bib.encoding", path, line,
                                f"byte 0x{raw[exc.start]:02X} is not UTF-8 (latin-1 or cp1252?)"))
        return raw.decode("utf-8-sig", errors="replace")


# Parsed files by (name shown, sha256 of the bytes, limits): one build reads the same .bib
# in several places (guideline build's check before Sphinx, sphinxext/bibcache.py, the
# integrity report, the surveillance view), about a second each at 2,500 entries. The
# result depends only on these, so it is reused while they are the same.
_PARSED: dict[tuple[str, bytes, int, int], BibFile] = {}
_PARSED_KEPT = 8  # files kept per process (tests build many small sites)


def parse_bib(path: Path | str, display: str | None = None, raw: bytes | None = None) -> BibFile:
    """Parse one .bib file; every problem becomes a finding.

    Parsed once per content and name shown (``_PARSED``): each caller gets its own
    ``entries`` dict and ``findings`` list; the entries in them are shared, not to be changed."""
    shown = display or str(path)
    if raw is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            return BibFile(shown, findings=[finding("bib.syntax", shown, 0, f"cannot read the file: {exc.strerror}")])
    if over := size_limit(len(raw), shown):
        return BibFile(shown, findings=over)
    key = (shown, hashlib.sha256(raw).digest(), MAX_FIELD_CHARS, MAX_BRACE_DEPTH)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _PARSED[key] = _parse(raw, shown)
        while len(_PARSED) > _PARSED_KEPT:
            del _PARSED[next(iter(_PARSED))]  # the oldest
    return BibFile(parsed.path, dict(parsed.entries), list(parsed.findings))


def _parse(raw: bytes, shown: str) -> BibFile:
    result = BibFile(shown)
    text = _decode(raw, shown, result.findings)
    # Person fields are kept as text here (pybtex splits names eagerly, a third of its
    # time); :func:`check_names` hands suspicious ones to pybtex's own name parser.
    parser = _LineParser(encoding="utf-8", person_fields=())
    parser.filename = shown
    lines_by_key: dict[str, int] = {}
    seen: dict[str, int] = {}
    with pybtex.errors.capture() as errors:
        try:
            data = parser.parse_string(text)
        except BibLimitExceeded as exc:
            result.findings.append(finding("bib.limit", shown, exc.line, exc.message))
            return result
        except Exception as exc:  # pybtex may raise on pathological input: report, don't crash
            line = getattr(exc, "lineno", 0) or 0
            result.findings.append(finding("bib.syntax", shown, line, f"pybtex could not parse the file: {exc}"))
            return result
    for key, line in parser.key_lines:
        folded = key.lower()
        if folded in seen:
            result.findings.append(finding(
                "bib.duplicate-key", shown, line,
                f"key {key!r} is already defined at line {seen[folded]}"))
        else:
            seen[folded] = line
            lines_by_key[key] = line
    for error in errors:
        if isinstance(error, PybtexSyntaxError):
            start = (getattr(error, "error_context_info", None) or (None,))[0]
            start_line = text.count("\n", 0, start) + 1 if isinstance(start, int) else 0
            where = f" (in the entry starting at line {start_line})" if start_line and start_line != error.lineno else ""
            result.findings.append(finding("bib.syntax", shown, error.lineno or start_line, f"{error}{where}"))
        elif isinstance(error, BibliographyDataError) and "repeated bibliography entry" in str(error):
            continue  # reported above with both lines
        else:
            key = getattr(error, "key", None) or _key_in(str(error), lines_by_key)
            result.findings.append(finding("bib.syntax", shown, lines_by_key.get(key, 0) if key else 0, str(error)))
    for key, entry in data.entries.items():
        result.entries[key] = BibEntry(key, entry.type.lower(), {k.lower(): v for k, v in entry.fields.items()},
                                       lines_by_key.get(key, 0), shown)
    return result


def _key_in(message: str, lines: dict[str, int]) -> str | None:
    match = re.search(r"key (\S+)", message)
    return match.group(1) if match and match.group(1) in lines else None


_BRACE_GROUP = re.compile(r"\{[^{}]*\}")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _may_have_bad_name(value: str) -> bool:
    """True unless no name in ``value`` can have more than two commas.

    Brace groups are masked (they are one token to BibTeX) and names are split on
    `` and `` no more often than pybtex splits them, so this never misses a name
    pybtex would reject."""
    if value.count(",") < 3:
        return False
    while "{" in value:
        masked = _BRACE_GROUP.sub("X", value)
        if masked == value:
            return True  # unbalanced: let pybtex decide
        value = masked
    return any(chunk.count(",") > 2 for chunk in _AND.split(value))


def check_names(entry: BibEntry) -> list[Finding]:
    out: list[Finding] = []
    for role in PERSON_FIELDS:
        value = entry.get(role)
        if not value or not _may_have_bad_name(value):
            continue
        with pybtex.errors.capture() as errors:
            for name in split_name_list(value):
                Person(name)
        out.extend(finding("bib.syntax", entry.file, entry.line, f"{entry.key}: {role}: {err}") for err in errors)
    return out


def check_entry_fields(entry: BibEntry) -> list[Finding]:
    """Required fields per type, the ``missing`` convention, huge fields."""
    out: list[Finding] = []
    declared = entry.declared_missing()
    for spec in REQUIRED_FIELDS.get(entry.type, ("title",)):
        alternatives = spec.split("|")
        if any(entry.has(name) for name in alternatives):
            continue
        wanted = " or ".join(alternatives)
        if declared.intersection(alternatives):
            out.append(finding("bib.unverified-field", entry.file, entry.line,
                               f"{entry.key}: {wanted} declared missing (unverified)"))
        else:
            out.append(finding("bib.required-field", entry.file, entry.line,
                               f"{entry.key}: @{entry.type} requires {wanted}"))
    for name in sorted(declared):
        if entry.has(name):
            out.append(finding("bib.missing-present", entry.file, entry.line,
                               f"{entry.key}: {name} is declared missing but present"))
    out.extend(check_names(entry))
    for name, value in entry.fields.items():
        if len(value) > HUGE_FIELD:
            out.append(finding("bib.huge-field", entry.file, entry.line,
                               f"{entry.key}: field {name} has {len(value):,} characters"))
    return out
