"""One builder per FHIR resource type; each returns the resource as a plain dict (R5 JSON).

Shapes follow EBM-on-FHIR inside R5: a recommendation is a PlanDefinition rated by
an ArtifactAssessment whose justification points at the Evidence it rests on; a
claim is an Evidence derived from a Citation; a source appraisal is an
ArtifactAssessment of the Citation of the appraised document.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.richtext import Text

from ..check.bibfile import BibEntry
from . import codes, ids, text
from .inputs import RATED_TYPES, Inputs

# need status -> PlanDefinition.status (superseded and retired are both "retired";
# a superseded one also carries relatedArtifact replaced-with its successor).
PLAN_STATUS = {"draft": "draft", "approved": "active", "superseded": "retired", "retired": "retired"}
COMPOSITION_STATUS = {"final": "final", "draft": "preliminary"}
NEED_ID = "need-id"
BIB_KEY = "bib-key"
EDITION = "edition"
DOI_SYSTEM = "https://doi.org"
PMID_SYSTEM = "https://pubmed.ncbi.nlm.nih.gov"
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"), start=1)}


def ref(kind: str, key: str, rtype: str, display: str = "") -> dict[str, Any]:
    out = {"reference": ids.full_url(kind, key), "type": rtype}
    if display:
        out["display"] = display
    return out


def identifier(inputs: Inputs, system: str, value: str) -> dict[str, Any]:
    return {"system": f"{inputs.base}/{system}", "value": value}


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """FHIR forbids empty strings, lists and objects: leave such elements out."""
    return {k: v for k, v in data.items() if v not in ("", [], {}, None)}


# -- recommendations and good practice statements -----------------------------------------

def plan_definition(need: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    body = text.recommendation(need.get("content", ""))
    related = [{"type": "replaces", "resourceReference": ref(ids.PLAN, old, "PlanDefinition", old)}
               for old in sorted(need.get("supersedes") or [])]
    related += [{"type": "replaced-with", "resourceReference": ref(ids.PLAN, new, "PlanDefinition", new)}
                for new in sorted(need.get("supersedes_back") or [])]
    return _drop_empty({
        "resourceType": "PlanDefinition",
        "id": ids.resource_id(ids.PLAN, need["id"]),
        "identifier": [identifier(inputs, NEED_ID, need["id"])],
        "version": inputs.edition.id,
        "name": need["id"],
        "title": need.get("title", ""),
        "subtitle": "Good practice statement" if need["type"] == "gps" else "",
        "status": PLAN_STATUS.get(need.get("status", ""), "unknown"),
        "date": inputs.edition.date,
        "description": body.text,
        "purpose": body.rationale,
        "usage": body.practical,
        "lastReviewDate": need.get("last_reviewed", ""),
        "relatedArtifact": related,
    })


def _rating_content(need: dict[str, Any], inputs: Inputs) -> list[dict[str, Any]]:
    if need["type"] == "gps":
        return [{"informationType": "classifier",
                 "classifier": [codes.gps_concept(inputs.base)],
                 "summary": "Ungraded good practice statement."}]
    out = []
    for axis, (label, _values) in codes.scheme_axes(inputs.settings).items():
        value = need.get(axis)
        if value:
            out.append({"informationType": "rating",
                        "type": {"coding": [codes.coding(inputs.base, codes.SCHEME, axis, label)], "text": label},
                        "classifier": [codes.concept(inputs.base, codes.SCHEME, axis, str(value))]})
    if need.get("paradigm"):
        out.append({"informationType": "comment", "type": codes.term(inputs.base, "paradigm"),
                    "summary": text.plain(str(need["paradigm"]))})
    return out


def rating(need: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    """The ArtifactAssessment rating a recommendation, justified by the Evidence of its claims."""
    body = text.recommendation(need.get("content", ""))
    evidence = [{"type": "justification", "resourceReference": ref(ids.EVIDENCE, claim, "Evidence", claim)}
                for claim in sorted(need.get("based_on") or [])]
    content = _rating_content(need, inputs)
    if evidence or body.rationale:
        content.append(_drop_empty({"informationType": "comment", "type": codes.term(inputs.base, "justification"),
                                    "summary": body.rationale, "relatedArtifact": evidence}))
    return _drop_empty({
        "resourceType": "ArtifactAssessment",
        "id": ids.resource_id(ids.RATING, need["id"]),
        "identifier": [identifier(inputs, NEED_ID, need["id"])],
        "title": f"Rating of {need['id']}",
        "date": inputs.edition.date,
        "artifactReference": ref(ids.PLAN, need["id"], "PlanDefinition", need["id"]),
        "content": content,
    })


# -- claims ------------------------------------------------------------------------------

def evidence(need: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    base = inputs.base
    related = []
    if need.get("cite"):
        related.append({"type": "derived-from",
                        "resourceReference": ref(ids.CITATION, need["cite"], "Citation", need["cite"])})
    for link, rel_type, term_name in (("contradicts", "corrects", "contradicts"),
                                      ("corroborated_by", "supported-with", "corroborated-by")):
        for target in sorted(need.get(link) or []):
            related.append({"type": rel_type, "classifier": [codes.term(base, term_name)],
                            "resourceReference": ref(ids.EVIDENCE, target, "Evidence", target)})
    certainty = []
    for axis in ("verification", "assertion"):
        if need.get(axis):
            label = codes.TERM_AXES[axis][0]
            certainty.append({"type": {"coding": [codes.coding(base, codes.TERMS, axis, label)], "text": label},
                              "rating": codes.concept(base, codes.TERMS, axis, str(need[axis]))})
    return _drop_empty({
        "resourceType": "Evidence",
        "id": ids.resource_id(ids.EVIDENCE, need["id"]),
        "extension": [{"url": f"{base}/{codes.QUOTE_EXTENSION}", "valueString": need["quote"]}]
        if need.get("quote") else [],
        "identifier": [identifier(inputs, NEED_ID, need["id"])],
        "version": inputs.edition.id,
        "name": need["id"],
        "title": need.get("title", ""),
        "status": "active",
        "date": inputs.edition.date,
        "assertion": text.plain(need.get("content", "")),
        "relatedArtifact": related,
        # R5 requires 1..*; a claim is one statement from one source, its variables are not coded.
        "variableDefinition": [{
            "description": "Not coded: the claim is one statement from one source (see assertion and the "
                           "verbatim quote), not a result with separate population, exposure and outcome.",
            "variableRole": {"text": "not coded"},
        }],
        "certainty": certainty,
    })


# -- source appraisals -------------------------------------------------------------------

def appraisal(need: dict[str, Any], inputs: Inputs) -> dict[str, Any]:
    base = inputs.base
    parts = text.appraisal(need.get("content", ""))
    content: list[dict[str, Any]] = []
    if need.get("kind"):
        label = codes.TERM_AXES["kind"][0]
        content.append({"informationType": "classifier",
                        "type": {"coding": [codes.coding(base, codes.TERMS, "kind", label)], "text": label},
                        "classifier": [codes.concept(base, codes.TERMS, "kind", need["kind"])]})
    if need.get("reliability"):
        label = codes.TERM_AXES["reliability"][0]
        content.append(_drop_empty({
            "informationType": "rating",
            "type": {"coding": [codes.coding(base, codes.TERMS, "reliability", label)], "text": label},
            "classifier": [codes.concept(base, codes.TERMS, "reliability", need["reliability"])],
            "summary": parts.reliability}))
    if parts.description:
        content.append({"informationType": "comment", "type": codes.term(base, "description"),
                        "summary": parts.description})
    content += [{"informationType": "comment", "type": codes.term(base, "problem"), "summary": problem}
                for problem in parts.problems]
    content += [{"informationType": "comment", "type": codes.term(base, "note"), "summary": note}
                for note in parts.other]
    return _drop_empty({
        "resourceType": "ArtifactAssessment",
        "id": ids.resource_id(ids.APPRAISAL, need["id"]),
        "identifier": [identifier(inputs, NEED_ID, need["id"])],
        "title": need.get("title", ""),
        "date": inputs.edition.date,
        "artifactReference": ref(ids.CITATION, need["cite"], "Citation", need["cite"]) if need.get("cite") else None,
        "content": content,
    })


# -- references --------------------------------------------------------------------------

def latex(value: str) -> str:
    """BibTeX field text as Unicode (accents, ``\\%``, ``--``), braces removed."""
    try:
        rendered = Text.from_latex(value).render_as("text")
    except Exception:  # pybtex rejects some malformed markup: keep the text as written
        rendered = value
    return re.sub(r"\s+", " ", rendered.replace("{", "").replace("}", "")).strip()


def _persons(value: str) -> tuple[list[str], bool]:
    names, complete = [], True
    for raw in split_name_list(value):
        if raw.strip().lower() == "others":
            complete = False
            continue
        person = Person(raw)
        last = latex(" ".join(person.prelast_names + person.last_names))
        first = latex(" ".join(person.first_names + person.middle_names))
        names.append(f"{last}, {first}" if first else last)
    return names, complete


def _date(entry: BibEntry) -> str:
    year = entry.get("year").strip()
    if not re.fullmatch(r"[0-9]{4}", year):
        return ""
    month = MONTHS.get(entry.get("month").strip().lower()[:3])
    return f"{year}-{month:02d}" if month else year


def citation(key: str, entry: BibEntry, inputs: Inputs) -> dict[str, Any]:
    """The Citation of one references.bib entry: only fields the entry states, none declared missing."""
    missing = entry.declared_missing()

    def field(name: str) -> str:
        return "" if name in missing else latex(entry.get(name))

    pages = field("pages").replace("--", "-").replace("\u2013", "-")
    first, _, last = pages.partition("-")
    form = _drop_empty({
        "publishedIn": _drop_empty({"title": field("journal") or field("booktitle")}),
        "citedMedium": {"text": field("howpublished")} if field("howpublished") else None,
        "volume": field("volume"),
        "issue": field("number"),
        "articleDate": _date(entry) if "year" not in missing else "",
        "pageString": pages,
        "firstPage": first.strip() if pages else "",
        "lastPage": last.strip() if pages and last else "",
    })
    identifiers = []
    if field("doi"):
        identifiers.append({"system": DOI_SYSTEM, "value": entry.get("doi").strip()})
    if field("pmid"):
        identifiers.append({"system": PMID_SYSTEM, "value": entry.get("pmid").strip()})
    authors, complete = ([], True) if "author" in missing or not entry.get("author") else _persons(entry.get("author"))
    contributorship = {"complete": complete, "entry": [{"contributor": {"display": name}} for name in authors]} \
        if authors else None
    title = field("title")
    return _drop_empty({
        "resourceType": "Citation",
        "id": ids.resource_id(ids.CITATION, key),
        "identifier": [identifier(inputs, BIB_KEY, key)],
        "title": title or key,
        "status": "active",
        "citedArtifact": _drop_empty({
            "identifier": identifiers,
            "title": [{"text": title}] if title else [],
            "publicationForm": [form] if form else [],
            "webLocation": [{"url": entry.get("url").strip()}] if field("url") else [],
            "contributorship": contributorship,
            "note": [{"text": field("note")}] if field("note") else [],
        }),
    })


# -- the guideline -----------------------------------------------------------------------

def _narrative(markdown: str) -> dict[str, Any]:
    paras = "".join(f"<p>{html.escape(text.plain(p).replace('**', ''))}</p>" for p in text.paragraphs(markdown))
    return {"status": "additional", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paras}</div>'}


def chapters(inputs: Inputs) -> list[tuple[str, list[dict[str, Any]]]]:
    """(chapter title, rated needs in document order) in reading order; unknown pages after, by name."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for need in inputs.of_type(*RATED_TYPES):
        by_doc.setdefault(need.get("docname", ""), []).append(need)
    position = {doc: i for i, doc in enumerate(inputs.chapter_order)}
    out = []
    for doc in sorted(by_doc, key=lambda d: (position.get(d, len(position)), d)):
        needs = sorted(by_doc[doc], key=lambda n: (n.get("lineno") or 0, n["id"]))
        sections = needs[0].get("sections") or []
        out.append((sections[-1] if sections else doc, needs))
    return out


def composition(inputs: Inputs) -> dict[str, Any]:
    base, edition = inputs.base, inputs.edition
    sections: list[dict[str, Any]] = []
    if inputs.panel_text:
        sections.append({"title": "Panel", "code": codes.term(base, "section-panel"),
                         "text": _narrative(inputs.panel_text)})
    key = [n for n in inputs.of_type(*RATED_TYPES) if str(n.get("key", "")).lower() in ("true", "yes", "1")]
    if key:
        sections.append({"title": "Key recommendations", "code": codes.term(base, "section-key"),
                         "entry": [ref(ids.PLAN, n["id"], "PlanDefinition", n["id"]) for n in key]})
    for title, needs in chapters(inputs):
        sections.append({"title": title, "code": codes.term(base, "section-chapter"), "section": [
            {"title": f"{n['id']}: {n.get('title', '')}",
             "entry": [ref(ids.PLAN, n["id"], "PlanDefinition", n["id"]),
                       ref(ids.RATING, n["id"], "ArtifactAssessment", f"Rating of {n['id']}")]}
            for n in needs]})
    for title, code_, kind, rtype, keys in (
            ("Evidence", "section-evidence", ids.EVIDENCE, "Evidence", [n["id"] for n in inputs.of_type("claim")]),
            ("Appraisals of sources", "section-appraisals", ids.APPRAISAL, "ArtifactAssessment",
             [n["id"] for n in inputs.of_type("source")]),
            ("References", "section-references", ids.CITATION, "Citation", inputs.cited_keys())):
        if keys:
            sections.append({"title": title, "code": codes.term(base, code_),
                             "entry": [ref(kind, k, rtype, k) for k in keys]})
    return _drop_empty({
        "resourceType": "Composition",
        "id": ids.resource_id(ids.FIXED, "composition"),
        "url": f"{base}/Composition/guideline",
        "identifier": [identifier(inputs, EDITION, edition.id)],
        "version": edition.id,
        "status": COMPOSITION_STATUS.get(edition.status, "preliminary"),
        "type": codes.term(base, "guideline"),
        "date": edition.date,
        "author": [{"display": inputs.panel_name}],
        "name": "Guideline",
        "title": inputs.settings.title,
        "section": sections,
    })
