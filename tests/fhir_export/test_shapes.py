"""Shapes from small synthetic guidelines: GRADE and good practice statements, claim assertions,
bib entries with missing fields, MyST roles in need bodies. No Sphinx build."""

from __future__ import annotations

import json
from types import SimpleNamespace

from guideline.check.bibfile import BibEntry
from guideline.fhir import bundle as bundle_mod
from guideline.fhir import ids, text, validate
from guideline.fhir.inputs import Edition, Inputs

from .conftest import by_identifier, resources_of

BASE = "https://guideline.invalid/fhir"


def grade_settings():
    g = lambda code, meaning="": SimpleNamespace(code=code, meaning=meaning)  # noqa: E731
    return SimpleNamespace(title="Synthetic guideline", scheme_name="GRADE", scheme="grade", note="",
                           strengths=(g("strong"), g("conditional")), directions=(g("for"), g("against")),
                           certainties=(g("high"), g("moderate"), g("low"), g("very low")), levels=(), grades=())


def need(id_, type_, **fields):
    return {"id": id_, "type": type_, "title": f"Title of {id_}", "docname": "recs", "sections": ["Recs"],
            "lineno": 1, "content": "", **fields}


def synthetic(needs, bib, settings=None):
    inputs = Inputs(needs={n["id"]: n for n in needs}, bib=bib, settings=settings or grade_settings(),
                    edition=Edition("2030.1", "2030-01-31", "draft"), base=BASE, panel_name="Panel A",
                    panel_text="Two named members.", chapter_order=["index", "recs"])
    return inputs, json.loads(bundle_mod.dumps(bundle_mod.build_bundle(inputs)))


CLAIMS = [
    need("CLM_A_01", "claim", cite="smith2020", quote="12 of 20 patients", verification="verified",
         assertion="corroborated", corroborated_by=["CLM_B_01"], content="A trial showed benefit {cite:p}`smith2020`."),
    need("CLM_B_01", "claim", cite="jones2021", quote="benefit was seen", verification="verified",
         assertion="source statement"),
]
BIB = {
    "smith2020": BibEntry("smith2020", "article", {"author": "Smith, Ann and others", "title": "A {T}rial",
                                                   "journal": "J Test", "year": "2020", "pmid": "12345678",
                                                   "doi": "10.1000/xyz", "volume": "3", "pages": "1--9"}, 1, "r.bib"),
    "jones2021": BibEntry("jones2021", "article", {"journal": "J Test", "year": "2021", "volume": "4",
                                                   "missing": "author, title, pages, doi"}, 9, "r.bib"),
}


def test_grade_rating_and_good_practice_statement():
    rec = need("REC_X_01", "rec", status="approved", strength="strong", direction="for", certainty="very low",
               paradigm="Life-threatening situation", based_on=["CLM_A_01"], key="true",
               content="Do it.\n\n**Rationale:** Because {cite:p}`smith2020`.\n\n**Practical information:** How.")
    gps = need("GPS_X_01", "gps", status="approved", content="Talk to the patient.")
    inputs, bundle = synthetic([rec, gps, *CLAIMS], BIB)
    assert validate.problems(bundle) == []
    assert validate.coverage(bundle, inputs.needs, inputs.cited_keys()) == []
    [rating] = [r for r in by_identifier(bundle, "ArtifactAssessment", "REC_X_01")]
    coded = {c["type"]["coding"][0]["code"]: c["classifier"][0]["coding"][0]["code"]
             for c in rating["content"] if c["informationType"] == "rating"}
    assert coded == {"strength": "strength-strong", "direction": "direction-for", "certainty": "certainty-very-low"}
    assert any(c.get("summary") == "Life-threatening situation" for c in rating["content"])
    [plan] = by_identifier(bundle, "PlanDefinition", "REC_X_01")
    assert (plan["description"], plan["purpose"], plan["usage"]) == ("Do it.", "Because [smith2020].", "How.")
    [gps_plan] = by_identifier(bundle, "PlanDefinition", "GPS_X_01")
    assert gps_plan["subtitle"] == "Good practice statement"
    [gps_rating] = by_identifier(bundle, "ArtifactAssessment", "GPS_X_01")
    assert gps_rating["content"][0]["classifier"][0]["coding"][0]["code"] == "good-practice-statement"
    assert all(c["informationType"] != "rating" for c in gps_rating["content"])  # ungraded
    [comp] = resources_of(bundle, "Composition")
    key = [s for s in comp["section"] if s["title"] == "Key recommendations"]
    assert [e["display"] for e in key[0]["entry"]] == ["REC_X_01"]
    assert comp["status"] == "preliminary" and comp["author"] == [{"display": "Panel A"}]


def test_claim_assertion_corroboration_and_citation_fields():
    rec = need("REC_X_01", "rec", status="approved", strength="conditional", direction="against",
               certainty="low", based_on=["CLM_A_01"])
    inputs, bundle = synthetic([rec, *CLAIMS], BIB)
    assert validate.problems(bundle) == []
    [ev] = by_identifier(bundle, "Evidence", "CLM_A_01")
    states = {c["type"]["coding"][0]["code"]: c["rating"]["coding"][0]["code"] for c in ev["certainty"]}
    assert states == {"verification": "verification-verified", "assertion": "assertion-corroborated"}
    [support] = [a for a in ev["relatedArtifact"] if a["type"] == "supported-with"]
    assert support["resourceReference"]["reference"] == ids.full_url(ids.EVIDENCE, "CLM_B_01")
    assert ev["assertion"] == "A trial showed benefit [smith2020]."
    [smith] = by_identifier(bundle, "Citation", "smith2020")
    art = smith["citedArtifact"]
    assert {i["system"]: i["value"] for i in art["identifier"]} == {"https://doi.org": "10.1000/xyz",
                                                                      "https://pubmed.ncbi.nlm.nih.gov": "12345678"}
    assert art["title"] == [{"text": "A Trial"}]
    assert art["contributorship"] == {"complete": False, "entry": [{"contributor": {"display": "Smith, Ann"}}]}
    assert art["publicationForm"][0] == {"publishedIn": {"title": "J Test"}, "volume": "3", "articleDate": "2020",
                                         "pageString": "1-9", "firstPage": "1", "lastPage": "9"}
    [jones] = by_identifier(bundle, "Citation", "jones2021")
    assert set(jones["citedArtifact"]) == {"publicationForm"}  # author, title, pages, doi declared missing
    assert jones["title"] == "jones2021"


def test_a_code_the_scheme_does_not_declare_is_reported():
    rec = need("REC_X_01", "rec", status="approved", strength="overwhelming", direction="for", certainty="high",
               based_on=["CLM_A_01"])
    _inputs, bundle = synthetic([rec, *CLAIMS], BIB)
    assert any("'strength-overwhelming' is not in" in p for p in validate.problems(bundle))


def test_a_missing_recommendation_or_citation_is_reported():
    rec = need("REC_X_01", "rec", status="superseded", strength="strong", direction="for", certainty="high",
               based_on=["CLM_A_01"])
    inputs, bundle = synthetic([rec, *CLAIMS], BIB)
    assert validate.coverage(bundle, inputs.needs, inputs.cited_keys()) == []
    assert by_identifier(bundle, "PlanDefinition", "REC_X_01")[0]["status"] == "retired"
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] not in ("PlanDefinition", "Citation")]
    found = validate.coverage(bundle, inputs.needs, inputs.cited_keys())
    assert "PlanDefinition REC_X_01: 0 in the bundle, expected exactly one" in found
    assert "Citation smith2020: 0 in the bundle, expected exactly one" in found


def test_myst_roles_become_readable_text():
    assert text.plain("See {need}`REC_A_01` and {need}`the rule <REC_B_02>` {cite:p}`a,b` {cite:t}`c`.") == \
        "See REC_A_01 and REC_B_02 [a; b] [c]."
    assert text.plain("Read {doc}`the methods <methods>` and {doc}`grading`.") == "Read the methods and grading."


def test_appraisal_parts():
    body = ("**What it is.** A web page.\n\n**Reliability: low.** Anonymous.\n\n**Problems found.**\n\n"
            "- *No date.* The page\n  has none.\n- Wrong target.\n\nTrailing remark.")
    parts = text.appraisal(body)
    assert parts.description == "A web page."
    assert parts.reliability == "**Reliability: low.** Anonymous."
    assert parts.problems == ["*No date.* The page has none.", "Wrong target."]
    assert parts.other == ["Trailing remark."]
