"""The PDFs of a fixture edition, read back with pypdf."""

from __future__ import annotations

import os
import re
from pathlib import Path

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


PDF_BUILD = """
import shutil, sys
from pathlib import Path
from guideline.editions.pdf import build_pdfs

content, out = Path(sys.argv[1]), Path(sys.argv[2])
own = out / "content"
shutil.copytree(content, own)  # the build writes its handout page into the content tree
build_pdfs(own, out, "2024.1", edition={"id": "2024.1", "date": "2024-06-01", "status": "draft"}, handout=False)
shutil.rmtree(own)
"""
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def test_pdfs_are_byte_identical_across_processes_under_load_and_with_other_system_fonts(fixture_repo, tmp_path):
    """Issue 9, section 8: what the PDF bytes depend on is pinned (editions/reproducible.py).

    Three processes build the same PDFs: one alone; then two at once beside a CPU-bound process,
    one of them with a fontconfig that knows a different set of system fonts (as when Debian's
    fonts-noto-cjk is installed). The page holds a character (U+263A) none of the bundled fonts has,
    so a render that fell back to a system font would differ. Unpinned, the fontTools subsetter
    also stamped each font with the current second.
    """
    import shutil
    import subprocess
    import sys

    content = tmp_path / "content"
    shutil.copytree(fixture_repo.root / "docs", content / "docs")
    page = content / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Do the thing.", "Do the thing \u263a."),
                    encoding="utf-8")
    other_fonts = tmp_path / "other-fonts"
    other_fonts.mkdir()
    system_font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if system_font.is_file():  # Debian's fonts-dejavu-core; without it the other set is empty
        shutil.copyfile(system_font, other_fonts / "Other.ttf")
    conf = tmp_path / "other-fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=other_fonts, cache=tmp_path / "fc-cache"), encoding="utf-8")

    def start(name, **env):
        out = tmp_path / name
        out.mkdir()
        proc = subprocess.Popen([sys.executable, "-c", PDF_BUILD, str(content), str(out)],
                                env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return out, proc

    def finish(proc):
        output, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, output

    alone, proc = start("alone")
    finish(proc)
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        loaded, first = start("loaded")
        fonts, second = start("with-other-fonts", FONTCONFIG_FILE=str(conf))
        finish(first)
        finish(second)
    finally:
        burner.kill()
        burner.wait()
    name = "2024.1-full.pdf"  # the handout goes through the same render (test_full_pdf_and_handout)
    reference = (alone / name).read_bytes()
    assert (loaded / name).read_bytes() == reference, f"{name}: differs under load"
    assert (fonts / name).read_bytes() == reference, f"{name}: differs with other system fonts"
    reader = PdfReader(str(alone / "2024.1-full.pdf"))
    assert not any("DejaVu" in name for name in fonts_of(reader)), fonts_of(reader)
