"""The project's own terminology, shipped inside every bundle.

Two CodeSystems and one extension definition, with canonical URLs under the
guideline's address (``<html_base_url>/fhir/...``):

- ``CodeSystem/rating-scheme``: the grading scheme declared in docs/guideline.toml
  (grades A-E and levels I-V, or GRADE strength, direction and certainty) plus
  ``good-practice-statement`` for ungraded statements;
- ``CodeSystem/guideline-terms``: source kinds, reliabilities, claim verification
  and assertion states, the kinds of content of an assessment, section codes;
- ``StructureDefinition/verbatim-quote``: the extension carrying a claim's exact
  words on its Evidence (R5 has no element for a quotation).

Codes are ``<axis>-<value>`` (``grade-B``, ``level-V``, ``reliability-high``):
values repeat across axes ("contradicted" is a verification and an assertion
state), so the axis keeps codes unique; the display is the value as written.
"""

from __future__ import annotations

import re
from typing import Any

from .. import model

SCHEME = "CodeSystem/rating-scheme"
TERMS = "CodeSystem/guideline-terms"
QUOTE_EXTENSION = "StructureDefinition/verbatim-quote"
GPS = "good-practice-statement"

# contracts.md: what the panel asserts about a claim (the clinical helper may add these to model.py).
ASSERTIONS = tuple(getattr(model, "ASSERTIONS", ("corroborated", "source statement", "contradicted")))

# Axes of guideline-terms and their values (more are added from the needs, see terms_codesystem).
TERM_AXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("Kind of source document", model.SOURCE_KINDS),
    "reliability": ("Appraised reliability of a source", model.RELIABILITIES),
    "verification": ("Verification state of a claim against its source", model.VERIFICATIONS),
    "assertion": ("What the panel asserts about a claim", ASSERTIONS),
}
# Single terms: content types of assessments, relations, section and document codes.
TERMS_FIXED = {
    "justification": "The evidence a rating rests on",
    "description": "What a source document is",
    "problem": "A problem found in a source document",
    "note": "Further appraisal text",
    "paradigm": "Declared paradigmatic situation (GRADE: a strong recommendation on low certainty)",
    "contradicts": "The claim contradicts (corrects) the target claim",
    "corroborated-by": "The claim is corroborated by the target claim, from an independent source",
    "guideline": "Clinical practice guideline",
    "section-panel": "Panel",
    "section-key": "Key recommendations",
    "section-chapter": "Chapter of recommendations",
    "section-evidence": "Evidence: claims",
    "section-appraisals": "Appraisals of sources",
    "section-references": "References",
}


def slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(value)).strip("-")


def code(axis: str, value: str) -> str:
    return f"{axis}-{slug(value)}"


def coding(base: str, system: str, code_: str, display: str) -> dict[str, Any]:
    return {"system": f"{base}/{system}", "code": code_, "display": display}


def concept(base: str, system: str, axis: str, value: str) -> dict[str, Any]:
    """A CodeableConcept for ``value`` on ``axis`` of ``system``."""
    return {"coding": [coding(base, system, code(axis, value), str(value))], "text": str(value)}


def term(base: str, name: str) -> dict[str, Any]:
    return {"coding": [coding(base, TERMS, name, TERMS_FIXED[name])], "text": TERMS_FIXED[name]}


def gps_concept(base: str) -> dict[str, Any]:
    return {"coding": [coding(base, SCHEME, GPS, "Good practice statement")], "text": "Good practice statement"}


def scheme_axes(settings: Any) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """The axes of the declared scheme: {axis: (label, [(value, meaning)])}, tolerant of either scheme."""
    def pairs(name: str) -> list[tuple[str, str]]:
        return [(g.code, g.meaning) for g in getattr(settings, name, ()) or ()]

    if getattr(settings, "scheme", "levels-grades") == "grade":
        return {"strength": ("Strength of recommendation", pairs("strengths")),
                "direction": ("Direction of recommendation", pairs("directions")),
                "certainty": ("Certainty of evidence", pairs("certainties"))}
    return {"grade": ("Grade of recommendation", pairs("grades")),
            "level": ("Level of evidence", pairs("levels"))}


def _codesystem(base: str, path: str, name: str, title: str, description: str, version: str,
                groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "url": f"{base}/{path}",
        "version": version,
        "name": name,
        "title": title,
        "status": "active",
        "experimental": False,
        "description": description,
        "caseSensitive": True,
        "hierarchyMeaning": "grouped-by",
        "content": "complete",
        "concept": groups,
    }


def scheme_codesystem(base: str, settings: Any, version: str) -> dict[str, Any]:
    groups = []
    for axis, (label, values) in scheme_axes(settings).items():
        groups.append({"code": axis, "display": label, "concept": [
            {"code": code(axis, value), "display": value, **({"definition": meaning} if meaning else {})}
            for value, meaning in values]})
    groups.append({"code": GPS, "display": "Good practice statement",
                   "definition": "Ungraded statement: necessary, with a large and unequivocal net benefit, "
                                 "for which collecting evidence would be a poor use of effort."})
    note = getattr(settings, "note", "") or ""
    description = f"The grading scheme declared in docs/guideline.toml: {settings.scheme_name}."
    return _codesystem(base, SCHEME, "RatingScheme", settings.scheme_name,
                       description + (f"\n\n{note.strip()}" if note.strip() else ""), version, groups)


def terms_codesystem(base: str, needs: dict[str, dict[str, Any]], version: str) -> dict[str, Any]:
    groups = []
    field_of = {"kind": "kind", "reliability": "reliability", "verification": "verification", "assertion": "assertion"}
    for axis, (label, declared) in TERM_AXES.items():
        seen = {str(n[field_of[axis]]) for n in needs.values() if n.get(field_of[axis])}
        values = list(declared) + sorted(seen - set(declared))
        groups.append({"code": axis, "display": label,
                       "concept": [{"code": code(axis, v), "display": v} for v in values]})
    groups += [{"code": name, "display": display} for name, display in TERMS_FIXED.items()]
    return _codesystem(base, TERMS, "GuidelineTerms", "Terms of the guideline's evidence appraisal",
                       "Source kinds, reliabilities, claim states and structural codes used by this guideline's "
                       "FHIR export.", version, groups)


def quote_extension(base: str, version: str) -> dict[str, Any]:
    """StructureDefinition of the verbatim-quote extension (a string on Evidence)."""
    url = f"{base}/{QUOTE_EXTENSION}"
    return {
        "resourceType": "StructureDefinition",
        "url": url,
        "version": version,
        "name": "VerbatimQuote",
        "title": "Verbatim quote",
        "status": "active",
        "description": "The exact words of the cited source on which this Evidence rests, as on file; "
                       "checked automatically against the source's text (typographic normalisation only).",
        "fhirVersion": "5.0.0",
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": "Evidence"}],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": [
            {"id": "Extension", "path": "Extension", "short": "Verbatim quote", "min": 0, "max": "1"},
            {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
            {"id": "Extension.url", "path": "Extension.url", "fixedUri": url},
            {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1, "type": [{"code": "string"}]},
        ]},
    }
