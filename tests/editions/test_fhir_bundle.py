"""Every edition carries its FHIR bundle: written beside needs.json, in the manifest, verified, linked."""

from __future__ import annotations

import json

from click.testing import CliRunner

from guideline.cli import main
from guideline.editions import build, site, verify
from guideline.fhir import validate
from guideline.fhir.inputs import cited_keys, load_needs


def test_edition_carries_a_valid_bundle_listed_verified_and_linked(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "final", repo.first))
    build.build_edition(repo.root, "2024.1", pdf=False)
    out = repo.editions / "2024.1"
    bundle = json.loads((out / "guideline.fhir.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "guideline.fhir.json" in manifest["files"]
    assert validate.problems(bundle) == []
    needs = load_needs(out / "needs.json")
    assert validate.coverage(bundle, needs, cited_keys(needs)) == []
    [comp] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"]
    assert (comp["version"], comp["date"], comp["status"]) == ("2024.1", "2024-06-01", "final")
    assert verify.verify(out, "2024.1").clean

    landing = (site.assemble(repo.root)["path"] / "index.html").read_text(encoding="utf-8")
    assert '<a href="2024.1/guideline.fhir.json">FHIR bundle</a>' in landing

    (out / "guideline.fhir.json").write_text(json.dumps(bundle), encoding="utf-8")  # same data, other bytes
    tampered = CliRunner().invoke(main, ["edition", "verify", "2024.1"], env={"GUIDELINE_ROOT": str(repo.root)})
    assert tampered.exit_code == 1 and "modified: guideline.fhir.json" in tampered.output
