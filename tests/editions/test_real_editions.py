"""The shipped editions (docs/editions.toml), built in a local clone: slow, run with the content."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from guideline.editions import build, registry, site, verify

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_2026_1_builds_verifies_and_says_what_is_new(edition_clone, built_edition):
    if "2026.1" not in {e.id for e in registry.load(edition_clone)} or "2024.1" not in \
            {e.id for e in registry.load(edition_clone)}:
        pytest.skip("editions 2024.1 and 2026.1 are not registered yet")
    clone = edition_clone
    out = built_edition("2026.1")  # shared with the reader checks (tests/reader)
    assert verify.verify(out, "2026.1").clean
    _check_fhir_bundle(out)
    whats_new = (out / "html" / "whats-new.html").read_text(encoding="utf-8")
    assert "since edition 2024.1" in whats_new
    assert "REC_SEQ_01" in whats_new and "REC_SEQ_02" in whats_new
    reader = PdfReader(str(out / "2026.1-handout.pdf"))
    assert 1 <= len(reader.pages) <= 2
    full = PdfReader(str(out / "2026.1-full.pdf"))
    text = "\n".join(p.extract_text() for p in full.pages[:3])
    assert "Edition 2026.1" in text
    build.build_edition(clone, "2024.1", pdf=False)
    assembled = site.assemble(clone)
    # The clone is shared with the reader checks, which may have built a later edition already.
    assert {"2024.1", "2026.1"} <= set(assembled["editions"])
    assert assembled["latest"] == assembled["editions"][-1] != "2024.1" and assembled["bannered_pages"] > 0


def _check_fhir_bundle(out: Path) -> None:
    """The edition's FHIR bundle: in the manifest, valid R5, every rec, claim and cited reference once."""
    import json

    from guideline.fhir import validate
    from guideline.fhir.inputs import cited_keys, load_needs

    assert "guideline.fhir.json" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    bundle = json.loads((out / "guideline.fhir.json").read_text(encoding="utf-8"))
    needs = load_needs(out / "needs.json")
    assert validate.problems(bundle) == []
    assert validate.coverage(bundle, needs, cited_keys(needs)) == []
