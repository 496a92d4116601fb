"""The full PDF and the handout: sphinx-simplepdf's builder, our theme, WeasyPrint.

No TeX and no system CJK font: the theme (``pdf_theme/guideline_pdf``) brings
its fonts (Fira Sans from sphinx-simplepdf, the bundled "Guideline CJK"
subset), WeasyPrint is pip-installed and called through its API.

- full: title page (title, panel as registered, edition, date, status,
  summary, "not an official IMWG publication"), contents with page numbers,
  the clinical pages of the guideline (never the Toolchain:
  ``guideline_pdf_exclude``) in major parts, numbered recommendation boxes,
  tables and numbered references; running header with the edition stamp; A4.
  Structure: :mod:`guideline.presentation.printed`.
- handout: a generated page (``{edition-handout}``) as root document: the key
  recommendations by topic with their ratings and the key to them, on one A4
  page (the build warns, naming what does not fit, when it takes more).

Both builds run in-process with ``confoverrides`` (no edit of conf.py), warnings
are errors as in the HTML build. They need a throw-away content tree (the
handout page is written into it): the edition builder's temporary tree, or a
copy of the working tree made by :func:`copy_content`.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from ..build import parse_warnings
from ..errors import GuidelineError
from .reproducible import pinned_pdf_render, source_date_epoch

HANDOUT_DOC = "_edition_handout"
HANDOUT_PAGE = """---
orphan: true
---

# Key recommendations

```{edition-handout}
```
"""
CONTENT_PATHS = ("docs", "seeds", "references.bib")


def copy_content(root: Path, dest: Path) -> Path:
    """Copy docs/, seeds/ and references.bib of ``root`` into ``dest`` (the content tree)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_PATHS:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("_build", "__pycache__"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def edition_overrides(edition: dict[str, str] | None) -> dict[str, Any]:
    """Config overrides that stamp a build with an edition (HTML and PDF alike)."""
    if not edition:
        return {}
    out = {
        "guideline_edition": edition["id"],
        "guideline_edition_date": edition.get("date", ""),
        "guideline_edition_status": edition.get("status", ""),
        "version": edition["id"],
        "release": edition["id"],
    }
    for key, name in (("url", "guideline_edition_url"), ("whats_new", "guideline_whats_new"),
                      ("summary", "guideline_edition_summary")):
        if edition.get(key):
            out[name] = edition[key]
    return out


def _simplepdf(docs: Path, workdir: Path, doctrees: Path, file_name: str, kind: str,
               overrides: dict[str, Any], quiet: bool) -> Path:
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    nocolor()

    confoverrides = {
        "simplepdf_theme": "guideline_pdf",
        "simplepdf_use_weasyprint_api": True,
        "simplepdf_file_name": file_name,
        "simplepdf_theme_options": {"kind": kind},
        # The simplepdf builder copies these into html_sidebars/html_theme_options.
        "simplepdf_sidebars": {"**": []},
        **overrides,
    }
    if kind == "handout":
        from sphinx.config import Config
        from sphinx.util.tags import Tags

        confoverrides["root_doc"] = HANDOUT_DOC
        # The guideline's own root is not in the handout's toctree, by design.
        configured = Config.read(docs, overrides={}, tags=Tags()).suppress_warnings
        confoverrides["suppress_warnings"] = [*configured, "toc.not_included"]
    import logging

    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR if quiet else logging.WARNING)
    warnings = io.StringIO()
    status = io.StringIO() if quiet else None
    outdir = workdir / f"{kind}-out"
    with patch_docutils(docs), docutils_namespace():
        app = Sphinx(str(docs), str(docs), str(outdir), str(doctrees), "simplepdf",
                     confoverrides=confoverrides, status=status, warning=warnings,
                     freshenv=False, warningiserror=False, keep_going=True)
        # Pinned only around the build, after Sphinx has read its configuration (reproducible.py).
        epoch = source_date_epoch(overrides.get("guideline_edition_date"))
        with pinned_pdf_render(epoch, workdir / f"{kind}-render"):
            app.build()
    findings = parse_warnings(warnings.getvalue())
    if findings:
        raise GuidelineError(str(docs), 0, "pdf.failed",
                             f"the {kind} PDF build reported {len(findings)} finding(s): "
                             + "; ".join(str(f) for f in findings[:5]),
                             "the HTML build (guideline build) shows the same findings with file and line")
    pdf = outdir / file_name
    if not pdf.is_file():
        raise GuidelineError(str(docs), 0, "pdf.failed", f"WeasyPrint wrote no {file_name}")
    return pdf


def build_pdfs(content: Path, out_dir: Path, stem: str, *, edition: dict[str, str] | None = None,
               doctrees: Path | None = None, handout: bool = True, quiet: bool = True) -> dict[str, Path]:
    """Build ``<stem>-full.pdf`` (and ``<stem>-handout.pdf``) from a throw-away content tree.

    ``doctrees`` may be the HTML build's doctree folder: the full PDF then reuses
    its environment instead of reading every page again.
    """
    try:
        import weasyprint  # noqa: F401
        import sphinx_simplepdf  # noqa: F401
    except ImportError:
        raise GuidelineError("pyproject.toml", 0, "usage.missing-extra",
                             "the PDF engine (sphinx-simplepdf, WeasyPrint) is not installed",
                             "pip install -e '.[pdf]' (make install does this)") from None
    docs = content / "docs"
    work = out_dir / f".{stem}-pdf-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    overrides = edition_overrides(edition)
    results: dict[str, Path] = {}
    try:
        full = _simplepdf(docs, work, doctrees or work / "doctrees-full", f"{stem}-full.pdf", "full",
                          overrides, quiet)
        results["full"] = full.replace(out_dir / full.name)
        if handout:
            (docs / f"{HANDOUT_DOC}.md").write_text(HANDOUT_PAGE, encoding="utf-8")
            try:
                page = _simplepdf(docs, work, work / "doctrees-handout", f"{stem}-handout.pdf", "handout",
                                  overrides, quiet)
            finally:
                (docs / f"{HANDOUT_DOC}.md").unlink(missing_ok=True)
            results["handout"] = page.replace(out_dir / page.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results
