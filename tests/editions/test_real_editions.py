"""The shipped editions (docs/editions.toml), built in a local clone: slow, run with the content."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from guideline.editions import build, registry, site, verify

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _clone(tmp_path: Path) -> Path:
    if not (REPO / "docs" / "editions.toml").is_file():
        pytest.skip("no docs/editions.toml yet")
    editions = registry.load(REPO)
    ids = [e.id for e in editions]
    if "2026.1" not in ids or "2024.1" not in ids:
        pytest.skip("editions 2024.1 and 2026.1 are not registered yet")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(REPO), str(clone)], check=True)
    (clone / "docs").mkdir()
    shutil.copyfile(REPO / "docs" / "editions.toml", clone / "docs" / "editions.toml")
    if (REPO / "docs" / "editions.lock.json").is_file():  # the seal: the clone's builds must match its sources
        shutil.copyfile(REPO / "docs" / "editions.lock.json", clone / "docs" / "editions.lock.json")
    return clone


def test_2026_1_builds_verifies_and_says_what_is_new(tmp_path):
    clone = _clone(tmp_path)
    result = build.build_edition(clone, "2026.1")
    out = result.path
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
    assert assembled["latest"] == "2026.1" and assembled["bannered_pages"] > 0


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
