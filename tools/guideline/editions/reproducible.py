"""What the bytes of an edition depend on: pinned for the PDFs, named for the seal.

Two builds of an edition's PDFs used to differ in an embedded font stream (two
bytes of ``/Length``). Measured cause (docs/toolchain/security.md): without the
system library libharfbuzz-subset (not installed on a fresh Debian machine),
WeasyPrint subsets fonts with fontTools, which writes the current time into each
subset font's ``head.modified``; the compressed stream then differs whenever the
two builds do not fall in the same second. With the library, HarfBuzz subsets
and keeps the font's own date, so the bytes also depended on which system
packages happened to be installed. What the render depends on is pinned here:

- the subsetter: always fontTools (pip-installed, its version is recorded),
  never the optional system library;
- its clock: ``SOURCE_DATE_EPOCH`` (which fontTools honours) is the edition's
  date while WeasyPrint renders, and only then (Sphinx reads the variable too,
  to rewrite the copyright year);
- its fonts: fontconfig sees no system font (``FONTCONFIG_FILE`` names a
  configuration without font folders), so only the theme's bundled
  ``@font-face`` fonts are used whatever is installed (e.g. fonts-noto-cjk); a
  character none of them has is drawn as a box, never in a machine's font.

:func:`renderer` names everything else the bytes of an edition depend on (the
toolchain's own files, the Python packages, the system text libraries); the
seal (``seal.py``) compares outputs byte for byte only between builds with the
same renderer.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# 2000-01-01T00:00:00Z: the clock of a PDF that is not an edition (no date to take).
DEFAULT_EPOCH = 946684800
_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- No <dir>: only the fonts the document brings (@font-face) exist for this render. -->
<fontconfig>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""
_PINNED_ENV = ("SOURCE_DATE_EPOCH", "FONTCONFIG_FILE", "FONTCONFIG_PATH")
# Python packages whose code writes bytes of an edition (HTML, needs.json, PDFs).
RENDER_PACKAGES = ("sphinx", "sphinx-needs", "myst-parser", "sphinxcontrib-bibtex", "pybtex", "docutils", "furo",
                   "sphinx-simplepdf", "weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2", "pillow",
                   "jinja2", "pygments", "fhir.resources", "fhir-core", "pydantic")


def source_date_epoch(date: str | None) -> int:
    """Midnight UTC of the edition's date (YYYY-MM-DD); the fixed default without a date."""
    if date:
        try:
            day = _dt.date.fromisoformat(date)
        except ValueError:
            return DEFAULT_EPOCH
        return int(_dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc).timestamp())
    return DEFAULT_EPOCH


class _DropSubsetterNotice(logging.Filter):
    # Choosing fontTools is deliberate here; WeasyPrint's notice about it would only alarm.
    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


@contextlib.contextmanager
def pinned_pdf_render(epoch: int, workdir: Path) -> Iterator[None]:
    """While WeasyPrint renders: fontTools subsetting at a fixed clock, no system fonts."""
    import weasyprint.pdf.fonts as wp_fonts

    workdir = workdir.resolve()  # fontconfig reads paths from the environment: absolute only
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "fonts.conf"
    conf.write_text(_FONTS_CONF.format(cache=workdir / "fontconfig-cache"), encoding="utf-8")
    saved_env = {name: os.environ.get(name) for name in _PINNED_ENV}
    saved_subsetter = wp_fonts.harfbuzz_subset
    notice = _DropSubsetterNotice()
    logger = logging.getLogger("weasyprint")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    os.environ["FONTCONFIG_FILE"] = str(conf)
    os.environ.pop("FONTCONFIG_PATH", None)
    wp_fonts.harfbuzz_subset = None
    logger.addFilter(notice)
    try:
        yield
    finally:
        logger.removeFilter(notice)
        wp_fonts.harfbuzz_subset = saved_subsetter
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _toolchain_digest() -> str:
    """sha256 over the installed toolchain's files (code, templates, CSS, fonts)."""
    import guideline

    package = Path(guideline.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _library_version(names: tuple[str, ...], symbol: str) -> str:
    import ctypes

    for name in names:
        try:
            function = getattr(ctypes.CDLL(name), symbol)
        except (OSError, AttributeError):
            continue
        if symbol == "FcGetVersion":
            number = function()
            return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
        function.restype = ctypes.c_char_p
        return function().decode()
    return "not found"


def _system_libraries() -> dict[str, str]:
    """The text stack WeasyPrint loads (shaping and font matching; subsetting is pinned to fontTools)."""
    return {
        "pango": _library_version(("libpango-1.0.so.0", "libpango-1.0.dylib"), "pango_version_string"),
        "harfbuzz": _library_version(("libharfbuzz.so.0", "libharfbuzz.0.dylib"), "hb_version_string"),
        "fontconfig": _library_version(("libfontconfig.so.1", "libfontconfig.1.dylib"), "FcGetVersion"),
    }


def renderer(pdf: bool = True) -> dict[str, Any]:
    """Everything besides the source that an edition's bytes depend on, and its short id."""
    from importlib import metadata
    import platform

    packages = {}
    for name in RENDER_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    identity = {"toolchain": _toolchain_digest(), "python": platform.python_version(), "packages": packages,
                "system": _system_libraries() if pdf else {}, "pdf": pdf}
    encoded = json.dumps(identity, sort_keys=True, separators=(",", ":")).encode()
    return {"id": hashlib.sha256(encoded).hexdigest()[:16], **identity}
