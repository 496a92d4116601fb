"""Grading coherence: a recommendation's rating must be one its evidence allows.

The requirements are panel data in ``guideline.toml`` (:class:`guideline.grading.Requirement`):
the levels a grade allows and the evidence it needs (source kinds, reliability,
the panel's assertion about the claim). Under GRADE the requirement is keyed by
the certainty, and a strong recommendation on a certainty the scheme does not
list as enough for it needs a declared paradigmatic situation (``paradigm``).

Also here: what the panel asserts about claims must be backed by links
(corroborated -> ``corroborated_by`` an independent claim; contradicted -> a
correcting claim ``contradicts`` it), and the faithfulness of restatements.
"""

from __future__ import annotations

import re

from .. import model
from ..grading import Requirement, Settings, claim_assertion
from .faithfulness import additions, restatement
from .findings import Finding
from .needs_source import Need
from .rules import finding

# Superseded and retired items are the record of earlier editions: kept as they were.
ACTIVE = ("draft", "approved")
_RATIONALE = re.compile(r"^\s*\*\*Rationale:\*\*", re.M)


def _rank(reliability: str) -> int:
    return model.RELIABILITIES.index(reliability) if reliability in model.RELIABILITIES else len(model.RELIABILITIES)


def meets(claim: Need, source: Need | None, req: Requirement) -> bool:
    """Whether one claim is evidence of the kind ``req`` asks for."""
    if source is None or claim_assertion(claim.fields) not in req.assertions:
        return False
    if req.source_kinds and source.get("kind") not in req.source_kinds:
        return False
    return not req.min_reliability or _rank(source.get("reliability")) <= _rank(req.min_reliability)


def check_rec_rating(rec: Need, claims: list[Need], sources: dict[str, Need], settings: Settings) -> list[Finding]:
    if rec.get("status").strip() not in ACTIVE:
        return []
    out: list[Finding] = []
    if settings.is_grade:
        key, label = rec.get("certainty"), f"certainty {rec.get('certainty')!r}"
        strength = rec.get("strength")
        if (strength == "strong" and settings.strong_certainties and key
                and key not in settings.strong_certainties and not rec.get("paradigm").strip()):
            out.append(finding("ev.grade-strong-low-certainty", rec.file, rec.line,
                               f"{rec.id}: strong recommendation on {key} certainty without a declared "
                               f"paradigmatic situation (:paradigm:)"))
    else:
        key, label = rec.get("grade"), f"grade {rec.get('grade')}"
    req = settings.requirements.get(key)
    if req is None:
        return out
    level = rec.get("level")
    if not settings.is_grade and req.levels and level and level not in req.levels:
        out.append(finding("ev.grade-incoherent", rec.file, rec.line,
                           f"{rec.id}: {label} does not allow level {level} (allows level "
                           f"{', '.join(req.levels)}; docs/guideline.toml)"))
    if not any(meets(c, sources.get(c.get("cite").strip()), req) for c in claims):
        out.append(finding("ev.grade-incoherent", rec.file, rec.line,
                           f"{rec.id}: {label} needs {req.describe()}; none of its claims "
                           f"({', '.join(c.id for c in claims) or 'none'}) is one"))
    return out


def check_gps(gps: Need) -> list[Finding]:
    if gps.get("status").strip() in ACTIVE and not _RATIONALE.search(gps.content):
        return [finding("ev.gps-no-rationale", gps.file, gps.line,
                        f"{gps.id}: a good practice statement needs an explicit **Rationale:** paragraph")]
    return []


def check_assertions(needs: list[Need], by_id: dict[str, Need]) -> list[Finding]:
    out: list[Finding] = []
    corrected = {t for n in needs if n.type == "claim" for t in n.links.get("contradicts", [])}
    for claim in (n for n in needs if n.type == "claim"):
        assertion = claim_assertion(claim.fields)
        if not assertion and not claim.get("verification"):
            out.append(finding("ev.assertion-missing", claim.file, claim.line,
                               f"{claim.id}: no :assertion: (corroborated, source statement or contradicted)"))
            continue
        backers = [by_id[t] for t in claim.links.get("corroborated_by", []) if t in by_id]
        if assertion == "corroborated":
            independent = [b for b in backers if b.get("cite").strip() != claim.get("cite").strip()
                           and claim_assertion(b.fields) != "contradicted"]
            if not independent:
                out.append(finding("ev.corroboration", claim.file, claim.line,
                                   f"{claim.id}: asserted corroborated but no corroborated_by claim from another, "
                                   "not contradicted source"))
        elif backers:
            out.append(finding("ev.corroboration", claim.file, claim.line,
                               f"{claim.id}: has corroborated_by but is asserted {assertion!r}"))
        if assertion == "contradicted" and claim.id not in corrected:
            out.append(finding("ev.contradicted-uncorrected", claim.file, claim.line,
                               f"{claim.id}: asserted contradicted but no claim contradicts it"))
    return out


def check_faithfulness(claim: Need, settings: Settings) -> list[Finding]:
    quote = claim.get("quote")
    if settings.faithfulness is None or not quote.strip():
        return []
    out = []
    for where, text in (("title", claim.title), ("restatement", restatement(claim.content))):
        found = additions(text, quote, settings.faithfulness)
        if found:
            words = "; ".join(f"{a.kind} {a.text!r}" for a in found)
            out.append(finding("ev.claim-unfaithful", claim.file, claim.line,
                               f"{claim.id}: the {where} has what the quote does not: {words}"))
    return out
