"""The bundled CJK subset: present in both formats, renamed, covering every Chinese character of the seeds."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

from guideline import fonts

REPO = Path(__file__).resolve().parents[2]


def test_subset_files_and_licence():
    for suffix in (".otf", ".woff2"):
        font = TTFont(str(fonts.FONT_DIR / f"{fonts.STEM}{suffix}"))
        assert font["name"].getDebugName(1) == "Guideline CJK"
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts.FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    css = (fonts.FONT_DIR.parent / "guideline.css").read_text(encoding="utf-8")
    assert "fonts/NotoSansSC-subset.woff2" in css and "fonts/NotoSansSC-subset.otf" in css


def test_subset_covers_the_chinese_of_every_seed():
    cmap = TTFont(str(fonts.FONT_DIR / f"{fonts.STEM}.otf")).getBestCmap()
    needed = fonts.characters([REPO / "seeds"])
    missing = sorted(c for c in needed if ord(c) not in cmap)
    assert not missing, f"regenerate with python -m guideline.fonts: {''.join(missing)}"
