"""The bundle of the shipped guideline: R5 models, references, coverage, determinism."""

from __future__ import annotations

import copy
import json
import re
import uuid

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from guideline.check.bibfile import parse_bib
from guideline.cli import main
from guideline.fhir import bundle as bundle_mod
from guideline.fhir import codes, ids, validate

from .conftest import REPO, by_identifier, resources_of

pytestmark = pytest.mark.slow  # uses the session's -W build of docs/


def test_every_resource_parses_with_its_r5_model(shipped_bundle):
    assert validate.problems(shipped_bundle) == []
    validate.parse(shipped_bundle)
    kinds = set()
    for entry in shipped_bundle["entry"]:
        model = validate.parse(entry["resource"])
        kinds.add(type(model).__module__)
        assert model.model_dump(mode="json", exclude_none=True)["resourceType"] == entry["resource"]["resourceType"]
    # The default (R5) package, not the R4B or STU3 sub-packages.
    assert all(re.fullmatch(r"fhir\.resources\.[a-z]+", k) for k in kinds), kinds


# Resource type, a required element (R5) and a way to find one such resource.
REQUIRED = [
    ("Composition", "title"), ("Composition", "date"), ("Composition", "author"),
    ("PlanDefinition", "status"), ("Evidence", "variableDefinition"), ("Evidence", "status"),
    ("Citation", "status"), ("ArtifactAssessment", "artifactReference"), ("CodeSystem", "content"),
]


@pytest.mark.parametrize("rtype,element", REQUIRED, ids=lambda v: v)
def test_dropping_a_required_element_fails_validation(shipped_bundle, rtype, element):
    broken = copy.deepcopy(shipped_bundle)
    resource = resources_of(broken, rtype)[0]
    del resource[element]
    with pytest.raises(ValidationError):
        validate.parse(resource)
    assert any(element in p for p in validate.problems(broken))


def test_a_code_outside_its_value_set_is_reported(shipped_bundle):
    broken = copy.deepcopy(shipped_bundle)
    resources_of(broken, "PlanDefinition")[0]["status"] = "approved"  # the need's word, not FHIR's
    assert any("'approved' is not one of draft, active, retired, unknown" in p for p in validate.problems(broken))


def _references(node):
    if isinstance(node, dict):
        if "reference" in node:
            yield node["reference"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_every_reference_resolves_inside_the_bundle(shipped_bundle):
    urls = [e["fullUrl"] for e in shipped_bundle["entry"]]
    assert len(urls) == len(set(urls))
    refs = list(_references(shipped_bundle))
    assert len(refs) > 200
    assert sorted(set(refs) - set(urls)) == []


def test_a_dangling_reference_is_reported(shipped_bundle):
    broken = copy.deepcopy(shipped_bundle)
    broken["entry"] = [e for e in broken["entry"] if e["resource"]["resourceType"] != "Citation"]
    found = validate.problems(broken)
    assert any("is not in the bundle" in p and "Evidence" in p for p in found)


def test_every_in_force_recommendation_exactly_once(shipped_bundle, shipped_inputs):
    rated = [n for n in shipped_inputs.needs.values() if n["type"] in ("rec", "gps")]
    in_force = [n for n in rated if n["status"] in ("approved", "draft")]
    assert len(in_force) >= 10
    for need in in_force:
        plans = by_identifier(shipped_bundle, "PlanDefinition", need["id"])
        assert len(plans) == 1, need["id"]
        assert plans[0]["status"] == {"approved": "active", "draft": "draft"}[need["status"]]
        assert plans[0]["title"] == need["title"]
        ratings = [r for r in by_identifier(shipped_bundle, "ArtifactAssessment", need["id"])
                   if r["artifactReference"]["reference"] == ids.full_url(ids.PLAN, need["id"])]
        assert len(ratings) == 1, need["id"]
    assert len(resources_of(shipped_bundle, "PlanDefinition")) == len(rated)


def test_superseded_recommendation_keeps_its_status_and_successor(shipped_bundle, shipped_inputs):
    superseded = [n for n in shipped_inputs.needs.values() if n["type"] == "rec" and n["status"] == "superseded"]
    assert superseded, "the shipped guideline supersedes REC_SEQ_01"
    for old in superseded:
        [plan] = by_identifier(shipped_bundle, "PlanDefinition", old["id"])
        assert plan["status"] == "retired"
        successors = [a["resourceReference"]["reference"] for a in plan["relatedArtifact"] if a["type"] == "replaced-with"]
        assert successors == [ids.full_url(ids.PLAN, new) for new in sorted(old["supersedes_back"])]
        for new in old["supersedes_back"]:
            [succ] = by_identifier(shipped_bundle, "PlanDefinition", new)
            assert {"type": "replaces", "resourceReference": {"reference": ids.full_url(ids.PLAN, old["id"]),
                    "type": "PlanDefinition", "display": old["id"]}} in succ["relatedArtifact"]


def test_rating_is_coded_in_the_bundled_scheme(shipped_bundle, shipped_inputs):
    [scheme] = [c for c in resources_of(shipped_bundle, "CodeSystem") if c["url"].endswith("/CodeSystem/rating-scheme")]
    need = shipped_inputs.needs["REC_ADMIN_01"]
    [rating] = [r for r in by_identifier(shipped_bundle, "ArtifactAssessment", "REC_ADMIN_01")
                if "Rating" in r["title"]]
    coded = {c["type"]["coding"][0]["code"]: c["classifier"][0]["coding"][0] for c in rating["content"]
             if c["informationType"] == "rating"}
    assert coded["grade"] == {"system": scheme["url"], "code": f"grade-{need['grade']}", "display": need["grade"]}
    assert coded["level"]["code"] == f"level-{need['level']}"
    justification = [c for c in rating["content"] if "relatedArtifact" in c]
    assert [a["resourceReference"]["display"] for a in justification[0]["relatedArtifact"]] == \
        sorted(need["based_on"])


def test_every_claim_exactly_once_with_its_exact_quote(shipped_bundle, shipped_inputs):
    claims = [n for n in shipped_inputs.needs.values() if n["type"] == "claim"]
    assert len(resources_of(shipped_bundle, "Evidence")) == len(claims)
    for claim in claims:
        [ev] = by_identifier(shipped_bundle, "Evidence", claim["id"])
        [quote] = [x["valueString"] for x in ev["extension"] if x["url"].endswith("/StructureDefinition/verbatim-quote")]
        assert quote == claim["quote"]
        [cites] = [a for a in ev["relatedArtifact"] if a["type"] == "derived-from"]
        assert cites["resourceReference"]["reference"] == ids.full_url(ids.CITATION, claim["cite"])
        states = {c["type"]["coding"][0]["code"]: c["rating"]["coding"][0]["display"] for c in ev["certainty"]}
        # The panel's assertion (2026.2 on) or the legacy verification, whichever the claim carries.
        carried = {axis: claim[axis] for axis in ("verification", "assertion") if claim.get(axis)}
        assert carried and all(states[axis] == value for axis, value in carried.items())


def test_contradicted_claims_point_from_their_correction(shipped_bundle, shipped_inputs):
    pairs = [(n["id"], t) for n in shipped_inputs.needs.values() if n["type"] == "claim" for t in n.get("contradicts") or []]
    assert pairs
    for corrector, target in pairs:
        [ev] = by_identifier(shipped_bundle, "Evidence", corrector)
        assert ids.full_url(ids.EVIDENCE, target) in [a["resourceReference"]["reference"]
                                                      for a in ev["relatedArtifact"] if a["type"] == "corrects"]


def test_every_cited_reference_exactly_once_nothing_invented(shipped_bundle, shipped_inputs):
    bib = parse_bib(REPO / "references.bib").entries
    cited = shipped_inputs.cited_keys()
    assert cited and set(cited) <= set(bib)
    citations = resources_of(shipped_bundle, "Citation")
    assert sorted(c["identifier"][0]["value"] for c in citations) == cited
    for key in cited:
        [cit] = by_identifier(shipped_bundle, "Citation", key)
        entry, art = bib[key], cit["citedArtifact"]
        dois = [i["value"] for i in art.get("identifier", []) if i["system"] == "https://doi.org"]
        assert dois == ([entry.get("doi")] if entry.has("doi") else [])
        form = (art.get("publicationForm") or [{}])[0]
        for bib_field, element in (("volume", "volume"), ("number", "issue")):
            assert form.get(element, "") == entry.get(bib_field), (key, bib_field)
        for name in entry.declared_missing():  # declared missing: absent, never filled
            element = {"title": "title", "pages": "pageString", "doi": "identifier", "author": "contributorship",
                       "url": "webLocation", "year": "articleDate"}.get(name)
            assert element not in art and element not in form, (key, name)
    nejm = by_identifier(shipped_bundle, "Citation", "nejm394-7-talquetamab-teclistamab")[0]
    assert "title" not in nejm["citedArtifact"] and "identifier" not in nejm["citedArtifact"]
    imwg = by_identifier(shipped_bundle, "Citation", "rodriguezotero2024imwg")[0]["citedArtifact"]
    assert imwg["publicationForm"][0]["pageString"] == "e205-e216"
    assert imwg["contributorship"]["entry"][5]["contributor"]["display"] == "Gállego Pérez-Larraya, Jaime"


def test_every_source_appraisal_with_kind_reliability_and_problems(shipped_bundle, shipped_inputs):
    for source in (n for n in shipped_inputs.needs.values() if n["type"] == "source"):
        [appraisal] = by_identifier(shipped_bundle, "ArtifactAssessment", source["id"])
        assert appraisal["artifactReference"]["reference"] == ids.full_url(ids.CITATION, source["cite"])
        shown = {c["type"]["coding"][0]["code"]: c for c in appraisal["content"]}
        assert shown["kind"]["classifier"][0]["text"] == source["kind"]
        assert shown["reliability"]["classifier"][0]["text"] == source["reliability"]
        problems = [c["summary"] for c in appraisal["content"] if c["type"]["coding"][0]["code"] == "problem"]
        assert len(problems) == source["content"].count("\n- "), source["id"]


def test_composition_chapters_reference_every_recommendation(shipped_bundle, shipped_inputs):
    [comp] = resources_of(shipped_bundle, "Composition")
    listed = [s["entry"][0]["reference"] for ch in comp["section"] for s in ch.get("section", [])]
    rated = [n["id"] for n in shipped_inputs.needs.values() if n["type"] in ("rec", "gps")]
    assert sorted(listed) == sorted(ids.full_url(ids.PLAN, r) for r in rated)
    titles = [s["title"] for s in comp["section"] if "section" in s]
    assert titles[0] == "Agents and targets"  # reading order of the Recommendations toctree
    assert comp["title"] == shipped_inputs.settings.title


def test_full_urls_are_uuid5_of_need_ids_and_bib_keys(shipped_bundle):
    for entry in shipped_bundle["entry"]:
        res = entry["resource"]
        kind = {"PlanDefinition": ids.PLAN, "Evidence": ids.EVIDENCE, "Citation": ids.CITATION}.get(res["resourceType"])
        if kind:
            key = res["identifier"][0]["value"]
            assert entry["fullUrl"] == f"urn:uuid:{uuid.uuid5(ids.NAMESPACE, f'{kind}:{key}')}"


def test_coverage_reports_a_missing_claim_and_a_changed_quote(shipped_bundle, shipped_inputs):
    cited = shipped_inputs.cited_keys()
    assert validate.coverage(shipped_bundle, shipped_inputs.needs, cited) == []
    broken = copy.deepcopy(shipped_bundle)
    first = resources_of(broken, "Evidence")[0]
    first["extension"][0]["valueString"] += " (edited)"
    dropped = resources_of(broken, "Evidence")[1]["identifier"][0]["value"]
    broken["entry"] = [e for e in broken["entry"] if e["resource"] is not resources_of(broken, "Evidence")[1]]
    found = validate.coverage(broken, shipped_inputs.needs, cited)
    assert f"Evidence {dropped}: 0 in the bundle, expected exactly one" in found
    assert any("quote" in p and first["identifier"][0]["value"] in p for p in found)


def test_no_timestamp_but_the_edition_date(shipped_bundle, shipped_inputs):
    text = bundle_mod.dumps(shipped_bundle)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d", text)
    allowed = {shipped_inputs.edition.date} | {n["last_reviewed"] for n in shipped_inputs.needs.values()
                                                if n.get("last_reviewed")}
    dated = {v for e in shipped_bundle["entry"] for k, v in e["resource"].items() if k == "date"}
    assert dated == {shipped_inputs.edition.date}
    assert set(re.findall(r'"(?:date|lastReviewDate)": "([^"]+)"', text)) <= allowed


def test_export_twice_gives_identical_bytes(guideline_html, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDELINE_ROOT", str(REPO))
    for var in ("GUIDELINE_EDITION", "GUIDELINE_EDITION_DATE", "GUIDELINE_EDITION_STATUS", "READTHEDOCS_VERSION"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    outputs = []
    for name in ("one.json", "two.json"):
        result = runner.invoke(main, ["export", "fhir", "--needs", str(guideline_html / "needs.json"),
                                      "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "PlanDefinition" in result.output
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["type"] == "collection" and data["resourceType"] == "Bundle"
    # Sorted output: keys sorted at every level, entries grouped by type then key.
    assert outputs[0].decode("utf-8") == bundle_mod.dumps(data)
    assert list(codes.TERMS_FIXED)  # terms are declared, not generated from the data alone


def test_export_without_a_build_is_a_clear_finding(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDELINE_ROOT", str(REPO))
    result = CliRunner().invoke(main, ["export", "fhir", "--needs", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "[fhir.no-needs] needs.json not found" in result.output
    assert "Traceback" not in result.output
