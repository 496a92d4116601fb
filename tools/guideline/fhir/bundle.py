"""The Bundle: every resource once, in a fixed order, serialised the same way every time.

Order: the Composition, the terminology (CodeSystems, the extension definition),
then per kind (plans, ratings, evidence, appraisals, citations) sorted by need ID
or bib key. JSON with sorted keys, two-space indent, UTF-8, one final newline; the
only date in it is the edition's: two exports of the same sources are byte-identical.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import GuidelineError
from . import codes, ids, inputs as inputs_mod, resources
from .inputs import RATED_TYPES, Edition, Inputs

BUNDLE_NAME = "guideline.fhir.json"  # beside needs.json in every edition


def _entry(kind: str, key: str, resource: dict[str, Any]) -> dict[str, Any]:
    resource.setdefault("id", ids.resource_id(kind, key))
    return {"fullUrl": ids.full_url(kind, key), "resource": resource}


def build_bundle(inputs: Inputs) -> dict[str, Any]:
    base, version = inputs.base, inputs.edition.id
    entries = [
        _entry(ids.FIXED, "composition", resources.composition(inputs)),
        _entry(ids.FIXED, "codesystem:rating-scheme", codes.scheme_codesystem(base, inputs.settings, version)),
        _entry(ids.FIXED, "codesystem:guideline-terms", codes.terms_codesystem(base, inputs.needs, version)),
        _entry(ids.FIXED, "extension:verbatim-quote", codes.quote_extension(base, version)),
    ]
    rated = inputs.of_type(*RATED_TYPES)
    entries += [_entry(ids.PLAN, n["id"], resources.plan_definition(n, inputs)) for n in rated]
    entries += [_entry(ids.RATING, n["id"], resources.rating(n, inputs)) for n in rated]
    entries += [_entry(ids.EVIDENCE, n["id"], resources.evidence(n, inputs)) for n in inputs.of_type("claim")]
    entries += [_entry(ids.APPRAISAL, n["id"], resources.appraisal(n, inputs)) for n in inputs.of_type("source")]
    entries += [_entry(ids.CITATION, k, resources.citation(k, inputs.bib[k], inputs)) for k in inputs.cited_keys()]
    return {
        "resourceType": "Bundle",
        "id": ids.resource_id(ids.FIXED, f"bundle:{version}"),
        "identifier": {"system": f"{base}/{resources.EDITION}", "value": version},
        "type": "collection",
        "entry": entries,
    }


def excerpt(bundle: dict[str, Any], need_id: str) -> list[dict[str, Any]]:
    """The entries of one recommendation: its plan, its rating, the Evidence it rests on, their Citations."""
    by_url = {e["fullUrl"]: e for e in bundle["entry"]}
    plan = by_url.get(ids.full_url(ids.PLAN, need_id))
    rating = by_url.get(ids.full_url(ids.RATING, need_id))
    if plan is None or rating is None:
        raise GuidelineError("needs.json", 0, "usage.fhir-unknown-need",
                             f"{need_id} is not a recommendation or good practice statement of this export")
    evidence = [by_url[a["resourceReference"]["reference"]] for c in rating["resource"].get("content", [])
                for a in c.get("relatedArtifact", []) if a["type"] == "justification"]
    cited = [by_url[a["resourceReference"]["reference"]] for e in evidence
             for a in e["resource"].get("relatedArtifact", []) if a["type"] == "derived-from"]
    seen: set[str] = set()
    return [e for e in [plan, rating, *evidence, *cited] if not (e["fullUrl"] in seen or seen.add(e["fullUrl"]))]


def dumps(bundle: Any) -> str:
    return json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def counts(bundle: dict[str, Any]) -> dict[str, int]:
    return dict(sorted(Counter(e["resource"]["resourceType"] for e in bundle["entry"]).items()))


def export_file(needs_json: Path, root: Path, edition: Edition, out: Path, *, check: bool = True,
                only: str | None = None) -> dict[str, int]:
    """Write the bundle of the content tree at ``root`` to ``out``; returns resources per type.

    With ``check`` the bundle is validated first (R5 models, codes, references): a
    problem is a toolchain bug, reported without writing anything. With ``only``
    (a need ID) the file holds just that recommendation's entries (:func:`excerpt`).
    """
    inputs = inputs_mod.load(needs_json, root, edition)
    bundle = build_bundle(inputs)
    if check:
        from .validate import coverage, problems

        found = problems(bundle) + coverage(bundle, inputs.needs, inputs.cited_keys())
        if found:
            shown = "; ".join(found[:5]) + (f"; ... ({len(found)} in all)" if len(found) > 5 else "")
            raise GuidelineError(str(out), 0, "fhir.invalid", f"the bundle does not validate: {shown}",
                                 "a bug in tools/guideline/fhir: please report it with the needs.json")
    if only:
        bundle = {"entry": excerpt(bundle, only)}
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, dumps(bundle["entry"] if only else bundle))
    return counts(bundle)
