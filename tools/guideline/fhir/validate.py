"""Checks of a bundle that need no network: R5 models, code values, internal references.

- every entry parses with its ``fhir.resources`` R5 model (required elements, types, no unknown elements);
- every ``code`` element whose model lists allowed values uses one of them
  (``fhir.resources`` records them but does not enforce them);
- every ``reference`` points at a ``fullUrl`` in the bundle; fullUrls are unique
  and match the resource ids;
- every coding and extension under the project's canonical base names a CodeSystem
  concept or StructureDefinition that the bundle carries.

Profile conformance (the HL7 validator) is not checked: it cannot be installed here.
"""

from __future__ import annotations

from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel
from fhir.resources import get_fhir_model_class
from pydantic import ValidationError

from . import codes


def parse(resource: dict[str, Any]) -> FHIRAbstractModel:
    """The R5 model of one resource (raises pydantic's ValidationError)."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _code_problems(model: Any, where: str) -> list[str]:
    out = []
    if isinstance(model, list):
        for i, item in enumerate(model):
            out += _code_problems(item, f"{where}[{i}]")
        return out
    if not isinstance(model, FHIRAbstractModel):
        return out
    for name, spec in type(model).model_fields.items():
        value = getattr(model, name, None)
        if value is None:
            continue
        allowed = (spec.json_schema_extra or {}).get("enum_values") if isinstance(spec.json_schema_extra, dict) else None
        if allowed and isinstance(value, str) and value not in allowed:
            out.append(f"{where}.{name}: {value!r} is not one of {', '.join(allowed)}")
        out += _code_problems(value, f"{where}.{name}")
    return out


def _walk(node: Any, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def _label(entry: dict[str, Any]) -> str:
    res = entry.get("resource", {})
    ident = (res.get("identifier") or [{}])
    value = ident[0].get("value") if isinstance(ident, list) else ident.get("value")
    return f"{res.get('resourceType', '?')} {value or res.get('id', '?')}"


def problems(bundle: dict[str, Any]) -> list[str]:
    """Everything wrong with ``bundle``; empty when it passes."""
    out: list[str] = []
    try:
        parse(bundle)
    except ValidationError as exc:
        out.append(f"Bundle: {exc.error_count()} validation error(s): {str(exc).splitlines()[1:3]}")
    entries = bundle.get("entry", [])
    urls = [e.get("fullUrl") for e in entries]
    out += [f"duplicate fullUrl {u}" for u in sorted({u for u in urls if urls.count(u) > 1})]
    for entry in entries:
        label, res = _label(entry), entry.get("resource", {})
        if entry.get("fullUrl") != f"urn:uuid:{res.get('id')}":
            out.append(f"{label}: fullUrl {entry.get('fullUrl')} does not match id {res.get('id')}")
        try:
            out += [f"{label}: {p}" for p in _code_problems(parse(res), res.get("resourceType", "?"))]
        except ValidationError as exc:
            out += [f"{label}: {'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors()]
    known = set(urls)
    concepts = _concepts(entries)
    definitions = {e["resource"].get("url") for e in entries if e["resource"].get("resourceType") == "StructureDefinition"}
    base = _base(entries)
    for entry in entries:
        label = _label(entry)
        for path, node in _walk(entry.get("resource", {})):
            target = node.get("reference")
            if isinstance(target, str) and target not in known:
                out.append(f"{label}: {path}.reference {target} is not in the bundle")
            system = node.get("system")
            if base and isinstance(system, str) and system in concepts and node.get("code") not in concepts[system]:
                out.append(f"{label}: {path}: code {node.get('code')!r} is not in {system}")
            elif base and isinstance(system, str) and system.startswith(base + "/CodeSystem/") \
                    and system not in concepts:
                out.append(f"{label}: {path}: code system {system} is not in the bundle")
            url = node.get("url")
            if base and isinstance(url, str) and url.startswith(base + "/StructureDefinition/") and \
                    path.split(".")[-1].startswith("extension") and url not in definitions:
                out.append(f"{label}: {path}: extension {url} is not defined in the bundle")
    return out


def _base(entries: list[dict[str, Any]]) -> str:
    for entry in entries:
        url = entry["resource"].get("url", "")
        if entry["resource"].get("resourceType") == "CodeSystem" and url.endswith("/" + codes.SCHEME):
            return url[: -len("/" + codes.SCHEME)]
    return ""


def _concepts(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for entry in entries:
        res = entry["resource"]
        if res.get("resourceType") != "CodeSystem":
            continue
        found: set[str] = set()
        stack = list(res.get("concept", []))
        while stack:
            concept = stack.pop()
            found.add(concept["code"])
            stack += concept.get("concept", [])
        out[res["url"]] = found
    return out


def _by_identifier(bundle: dict[str, Any], rtype: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle.get("entry", []):
        res = entry["resource"]
        if res.get("resourceType") == rtype:
            for ident in res.get("identifier") or []:
                out.setdefault(ident.get("value", ""), []).append(res)
    return out


IN_FORCE = {"approved": "active", "draft": "draft"}


def coverage(bundle: dict[str, Any], needs: dict[str, dict[str, Any]], cited: list[str]) -> list[str]:
    """What of the guideline is missing from ``bundle`` or in it more than once.

    Every recommendation and good practice statement is one PlanDefinition (in
    force: active or draft; superseded or retired: retired, with ``replaces`` on
    its successor) with one rating; every claim one Evidence carrying its exact
    quote; every source one appraisal; every cited bib key one Citation.
    """
    from .inputs import RATED_TYPES

    out: list[str] = []
    plans = _by_identifier(bundle, "PlanDefinition")
    assessments = _by_identifier(bundle, "ArtifactAssessment")
    evidence = _by_identifier(bundle, "Evidence")
    citations = _by_identifier(bundle, "Citation")

    def once(found: dict[str, list[dict[str, Any]]], key: str, what: str) -> dict[str, Any] | None:
        hits = found.get(key, [])
        if len(hits) != 1:
            out.append(f"{what} {key}: {len(hits)} in the bundle, expected exactly one")
            return None
        return hits[0]

    for need in sorted(needs.values(), key=lambda n: n["id"]):
        kind, nid = need.get("type"), need["id"]
        if kind in RATED_TYPES:
            plan = once(plans, nid, "PlanDefinition")
            once(assessments, nid, "rating")
            expected = IN_FORCE.get(need.get("status", ""), "retired")
            if plan and plan.get("status") != expected:
                out.append(f"PlanDefinition {nid}: status {plan.get('status')!r}, expected {expected!r}")
            replaced = {a["resourceReference"]["display"] for a in (plan or {}).get("relatedArtifact", [])
                        if a.get("type") == "replaces"}
            if plan and set(need.get("supersedes") or []) != replaced:
                out.append(f"PlanDefinition {nid}: replaces {sorted(replaced)}, "
                           f"expected {sorted(need.get('supersedes') or [])}")
        elif kind == "claim":
            res = once(evidence, nid, "Evidence")
            quotes = [x.get("valueString") for x in (res or {}).get("extension", [])
                      if x.get("url", "").endswith("/" + codes.QUOTE_EXTENSION)]
            if res and quotes != [need.get("quote")]:
                out.append(f"Evidence {nid}: quote {quotes!r} differs from the claim's")
        elif kind == "source":
            once(assessments, nid, "appraisal")
    for key in cited:
        once(citations, key, "Citation")
    extra = sorted(set(citations) - set(cited))
    out += [f"Citation {key}: in the bundle but cited by no need" for key in extra]
    return out
