"""Evidence-chain rules: quotes in their sources, recommendations on solid ground.

Works on :class:`~.needs_source.Need` records, whether read from MyST sources or
collected by sphinx-needs during a build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.richtext import Text

from .. import model
from ..grading import Settings, claim_assertion
from . import coherence
from .bibfile import BibEntry
from .findings import Finding
from .needs_source import Need
from .normalise import find_quote, first_difference, normalise
from .rules import finding

MIN_RELIABILITY = model.RELIABILITIES.index("moderate")
LINK_TARGETS = {link.name: link.targets for link in model.LINKS}


@dataclass
class EvidenceCounts:
    claims: dict[str, int] = field(default_factory=lambda: {v: 0 for v in model.VERIFICATIONS})
    assertions: dict[str, int] = field(default_factory=lambda: {v: 0 for v in model.ASSERTIONS})
    good_practice_statements: int = 0
    quotes_checked: int = 0
    quotes_found: int = 0
    recs: int = 0
    recs_supported: int = 0


def bib_text(value: str) -> str:
    """A .bib field as plain text (braces and LaTeX accents resolved by pybtex)."""
    try:
        return Text.from_latex(value).render_as("text")
    except Exception:  # malformed LaTeX: compare the raw text rather than crash
        return value.replace("{", "").replace("}", "")


class SourceTexts:
    """Normalised source texts, read once per file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}
        self.errors: dict[str, str] = {}

    def get(self, relpath: str) -> str | None:
        if relpath not in self._cache:
            self._cache[relpath] = self._read(relpath)
        return self._cache[relpath]

    def _read(self, relpath: str) -> str | None:
        seeds = (self.root / "seeds").resolve()
        path = (self.root / relpath).resolve()
        if not relpath.startswith("seeds/") or not path.is_relative_to(seeds):
            self.errors[relpath] = "is not under seeds/"
            return None
        try:
            return normalise(path.read_bytes().decode("utf-8-sig"))
        except FileNotFoundError:
            self.errors[relpath] = "does not exist"
        except UnicodeDecodeError as exc:
            self.errors[relpath] = f"is not UTF-8 (byte 0x{exc.object[exc.start]:02X} at offset {exc.start})"
        except OSError as exc:
            self.errors[relpath] = f"cannot be read ({exc.strerror})"
        return None


def check_evidence(needs: list[Need], bib: dict[str, BibEntry], root: Path, edition: dt.date,
                   review_interval_days: int, settings: Settings | None = None) -> tuple[list[Finding], EvidenceCounts]:
    """Evidence-chain findings; with ``settings``, also grading coherence and claim faithfulness."""
    out: list[Finding] = []
    counts = EvidenceCounts()
    by_id = {n.id: n for n in needs if n.id}
    sources: dict[str, Need] = {}
    for need in needs:
        if need.type == "source" and need.get("cite"):
            sources.setdefault(need.get("cite").strip(), need)
    texts = SourceTexts(root)

    for need in needs:
        for name, targets in need.links.items():
            for target in targets:
                if target not in by_id:
                    out.append(finding("ev.dead-link", need.file, need.line,
                                       f"{need.id}: {name} names {target}, which does not exist"))

    for need in needs:
        if need.type == "claim":
            verification = need.get("verification")
            if verification in counts.claims:
                counts.claims[verification] += 1
            assertion = claim_assertion(need.fields)
            if assertion in counts.assertions:
                counts.assertions[assertion] += 1
            out.extend(_check_quote(need, sources, bib, texts, counts))
            if settings is not None:
                out.extend(coherence.check_faithfulness(need, settings))
    for need in needs:
        if need.type == "source" and need.get("file"):
            if texts.get(need.get("file")) is None:
                out.append(finding("ev.source-file", need.file, need.line,
                                   f"{need.id}: file {need.get('file')} {texts.errors[need.get('file')]}"))

    out.extend(coherence.check_assertions(needs, by_id))
    recs = [n for n in needs if n.type == "rec"]
    statements = [n for n in needs if n.type == "gps"]
    named_by_supersedes = {t for r in recs + statements for t in r.links.get("supersedes", [])}
    for rec in recs:
        counts.recs += 1
        out.extend(_check_rec(rec, by_id, sources, named_by_supersedes, edition, review_interval_days, counts))
        if settings is not None:
            claims = [by_id[c] for c in rec.links.get("based_on", []) if c in by_id and by_id[c].type == "claim"]
            out.extend(coherence.check_rec_rating(rec, claims, sources, settings))
    for gps in statements:
        counts.good_practice_statements += 1
        out.extend(coherence.check_gps(gps))
        out.extend(_check_status_and_review(gps, named_by_supersedes, edition, review_interval_days))
    out.extend(_supersedes_cycles(recs + statements, by_id))
    return out, counts


def _check_quote(claim: Need, sources: dict[str, Need], bib: dict[str, BibEntry], texts: SourceTexts,
                 counts: EvidenceCounts) -> list[Finding]:
    cite, quote = claim.get("cite").strip(), claim.get("quote")
    if not cite:
        return []
    source = sources.get(cite)
    if source is None:
        return [finding("ev.no-source", claim.file, claim.line,
                        f"{claim.id}: no source need has :cite: {cite}")]
    if not quote.strip():
        return []
    if source.get("file"):
        text = texts.get(source.get("file"))
        if text is None:
            return []  # reported once on the source
        where = source.get("file")
    else:
        entry = bib.get(cite)
        if entry is None:
            return []  # cite.unknown-key reports it
        text = normalise(" ".join(bib_text(entry.get(f)) for f in ("title", "abstract") if entry.get(f)))
        where = f"the title/abstract of {cite} in the .bib"
    counts.quotes_checked += 1
    wanted = normalise(quote)
    if find_quote(wanted, text) >= 0:
        counts.quotes_found += 1
        return []
    agree = first_difference(wanted, text)
    if wanted in text:  # present, but inside a longer word or number
        detail = "it occurs only inside a longer word or number (quotes match on word boundaries)"
    elif agree:
        detail = f"matches up to {wanted[max(0, agree - 30):agree]!r} then differs at {wanted[agree:agree + 30]!r}"
    else:
        detail = "no part of it occurs"
    return [finding("ev.quote-not-found", claim.file, claim.line,
                    f"{claim.id}: quote not found in {where}: {detail}")]


def _reliability(claim: Need, sources: dict[str, Need]) -> str:
    source = sources.get(claim.get("cite").strip())
    return source.get("reliability") if source else ""


def _check_rec(rec: Need, by_id: dict[str, Need], sources: dict[str, Need], named: set[str],
               edition: dt.date, interval: int, counts: EvidenceCounts) -> list[Finding]:
    out: list[Finding] = []
    status = rec.get("status").strip()
    if not status:
        out.append(finding("ev.rec-no-status", rec.file, rec.line, f"{rec.id}: no status"))
    claims = [by_id[c] for c in rec.links.get("based_on", []) if c in by_id and by_id[c].type == "claim"]
    supported = [c for c in claims if claim_assertion(c.fields) in ("corroborated", "source statement")
                 and _reliability(c, sources) in model.RELIABILITIES
                 and model.RELIABILITIES.index(_reliability(c, sources)) <= MIN_RELIABILITY]
    if supported:
        counts.recs_supported += 1
    else:
        out.append(finding("ev.rec-unsupported", rec.file, rec.line,
                           f"{rec.id}: none of its claims ({', '.join(c.id for c in claims) or 'none'}) is verified "
                           "(corroborated or the source's statement) and from a source of at least moderate "
                           "reliability"))
    if status == "approved":
        for claim in claims:
            if claim_assertion(claim.fields) == "contradicted":
                out.append(finding("ev.approved-contradicted", rec.file, rec.line,
                                   f"{rec.id} is approved but rests on contradicted claim {claim.id}"))
            if _reliability(claim, sources) == "unreliable":
                out.append(finding("ev.approved-unreliable", rec.file, rec.line,
                                   f"{rec.id} is approved but rests on {claim.id}, whose source "
                                   f"({claim.get('cite')}) is unreliable"))
    out.extend(_check_status_and_review(rec, named, edition, interval))
    return out


def _check_status_and_review(rec: Need, named: set[str], edition: dt.date, interval: int) -> list[Finding]:
    """Superseded items name a successor; active items are reviewed within the interval."""
    out: list[Finding] = []
    status = rec.get("status").strip()
    if status == "superseded" and rec.id not in named:
        out.append(finding("ev.superseded-orphan", rec.file, rec.line,
                           f"{rec.id} is superseded but no recommendation names it in :supersedes:"))
    reviewed = rec.get("last_reviewed").strip()
    if reviewed and status not in ("superseded", "retired"):
        try:
            day = dt.date.fromisoformat(reviewed)
        except ValueError:
            out.append(finding("ev.bad-date", rec.file, rec.line, f"{rec.id}: last_reviewed {reviewed!r} is not a date"))
        else:
            if (edition - day).days > interval:
                out.append(finding("ev.review-overdue", rec.file, rec.line,
                                   f"{rec.id}: last reviewed {reviewed}, {(edition - day).days} days before the "
                                   f"edition date {edition.isoformat()} (interval {interval} days)"))
    return out


def _supersedes_cycles(recs: list[Need], by_id: dict[str, Need]) -> list[Finding]:
    """Each cycle of supersedes links once, at its first member (iterative DFS)."""
    graph = {r.id: [t for t in r.links.get("supersedes", []) if t in by_id] for r in recs}
    state: dict[str, int] = {}
    out: list[Finding] = []
    for start in graph:
        if state.get(start):
            continue
        stack = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child):] + [child]
                first = by_id[min(cycle[:-1])]
                out.append(finding("ev.supersedes-cycle", first.file, first.line,
                                   "supersedes cycle: " + " -> ".join(cycle)))
            elif not state.get(child) and child in graph:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph[child])))
    return out
