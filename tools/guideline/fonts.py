"""Regenerate the bundled CJK font subset: ``python -m guideline.fonts``.

The HTML and PDF render Chinese seed text with "Guideline CJK", a subset of
Noto Sans CJK SC (SIL OFL 1.1) holding only the characters of the seeds plus
basic CJK punctuation and ASCII, so no CJK font is needed on the reader's or
the builder's machine. The family is renamed (a Modified Version under the OFL
should not pose as the original) and written as WOFF2 (browsers) and OTF
(WeasyPrint, which reads both; the OTF is the PDF's font).

Needs the Debian package fonts-noto-cjk (or --source pointing at a
NotoSansCJK-Regular.ttc / NotoSansCJKsc-Regular.otf) and fontTools with brotli.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FONT_DIR = Path(__file__).parent / "sphinxext" / "static" / "fonts"
STEM = "NotoSansSC-subset"
FAMILY = "Guideline CJK"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# Ideographic space and punctuation, fullwidth forms commonly used in Chinese text.
PUNCTUATION = "\u3000、。〈〉《》「」『』【】〔〕〖〗〜・·—…‘’“”！（），．：；？～％＋－／＝［］"
_CJK_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3100, 0x312F), (0x3400, 0x4DBF),
               (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def characters(seed_dirs: list[Path]) -> set[str]:
    """CJK characters of every seed text, plus punctuation and printable ASCII."""
    chars = set(PUNCTUATION) | {chr(c) for c in range(0x20, 0x7F)}
    for folder in seed_dirs:
        for path in sorted(folder.glob("*.txt")):
            chars.update(c for c in path.read_text(encoding="utf-8") if _is_cjk(c))
    return chars


def _load_sc(source: Path):
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() == ".ttc":
        for font in TTCollection(str(source)).fonts:
            if font["name"].getDebugName(1) == "Noto Sans CJK SC":
                return font
        raise SystemExit(f"{source}: no 'Noto Sans CJK SC' face in this collection")
    return TTFont(str(source))


def subset(source: Path, chars: set[str], out_dir: Path = FONT_DIR) -> list[Path]:
    from fontTools import subset as ftsubset

    font = _load_sc(source)
    options = ftsubset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 16):
            record.string = FAMILY if record.nameID != 3 else f"{FAMILY} subset"
        elif record.nameID == 6:
            record.string = "GuidelineCJK-Regular"
        elif record.nameID == 17:
            record.string = "Regular"
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = ["GuidelineCJK-Regular"]
    out_dir.mkdir(parents=True, exist_ok=True)
    font.recalcTimestamp = False  # same input, same bytes
    written = []
    for flavor, suffix in ((None, ".otf"), ("woff2", ".woff2")):
        font.flavor = flavor
        path = out_dir / f"{STEM}{suffix}"
        font.save(str(path), reorderTables=True)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"Noto Sans CJK font or collection (default: {DEFAULT_SOURCE})")
    parser.add_argument("--seeds", type=Path, action="append", default=None,
                        help="folder of seed .txt files (repeatable; default: seeds/ of the repository)")
    parser.add_argument("--out", type=Path, default=FONT_DIR)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"{args.source}: not found; apt-get install -y fonts-noto-cjk or pass --source", file=sys.stderr)
        return 1
    seed_dirs = args.seeds or [Path(__file__).resolve().parents[2] / "seeds"]
    # The same source and characters give the same bytes (head.modified is kept from the source).
    chars = characters(seed_dirs)
    for path in subset(args.source, chars, args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes, {len(chars)} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
