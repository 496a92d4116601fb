"""The PDFs of a fixture edition, read back with pypdf."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from guideline.editions import build

pytestmark = pytest.mark.slow


def text_of(path):
    reader = PdfReader(str(path))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def fonts_of(reader):
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


def test_full_pdf_and_handout(fixture_repo):
    repo = fixture_repo
    repo.registry(("2024.1", "2024-06-01", "draft", repo.first))
    out = build.build_edition(repo.root, "2024.1").path
    reader, full = text_of(out / "2024.1-full.pdf")
    assert 3 <= len(reader.pages) <= 30
    assert "Edition 2024.1 \u00b7 2024-06-01 \u00b7 DRAFT" in full  # running header
    assert "not an official IMWG publication" in full.replace("\n", " ").lower() or \
        "Not an official IMWG publication" in full
    assert "Contents" in full
    assert "Recommendation 1.1" in full and "Use it" in full and "Do the thing." in full
    assert "Grade A \u00b7 Level I" in full
    assert "A trial of something" in full  # numbered reference (Smith 2022)
    assert re.search(r"\b1 / \d+\b", full)  # page numbers
    assert any(name.endswith("GuidelineCJK-Regular") or "Guideline-CJK" in name for name in fonts_of(reader)), \
        fonts_of(reader)
    assert not any("Noto" in name for name in fonts_of(reader)), fonts_of(reader)  # bundled, not a system font
    handout_reader, handout = text_of(out / "2024.1-handout.pdf")
    assert 1 <= len(handout_reader.pages) <= 2
    assert "1.1 Use it" in handout.replace("\u2002", " ") and "Grade A \u00b7 Level I" in handout
    assert "REC_USE_01" not in handout and "Key to ratings" in handout  # no internal IDs; a grade key
    assert "Edition 2024.1" in handout and "2024-06-01" in handout
    # Both PDFs are in the manifest and rebuild byte-identically.
    assert build.build_edition(repo.root, "2024.1").outcome == "unchanged"
