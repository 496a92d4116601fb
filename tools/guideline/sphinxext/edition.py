"""Editions inside the Sphinx build: the stamp, the PDF's page structure, stable ids.

- Every HTML page starts with the edition stamp (id, date, status; "unreleased"
  outside an edition build); a draft is marked DRAFT. The PDF theme
  (``guideline.editions.pdf``) gets the same values for its title page and
  running header, the panel from ``guideline.toml`` and the contents built by
  :mod:`guideline.presentation.printed`.
- What's new, the handout and the edition facts are views of
  :mod:`guideline.presentation.views`.
- sphinx-needs gives each need container a random ``uuid4`` id; they are
  renumbered per page so two builds of the same sources give the same bytes.
- An address that is not registered yet (``html_base_url_live = false`` in
  ``guideline.toml``) is never printed.

The values come from ``-D``/``confoverrides`` (the edition builder) or the
environment (``GUIDELINE_EDITION``, ``GUIDELINE_EDITION_DATE``,
``GUIDELINE_EDITION_STATUS``, ``GUIDELINE_WHATS_NEW``, ``GUIDELINE_EDITION_URL``);
on Read the Docs a version named like an edition (tag ``2026.1``) is that
edition, its date and status read from ``docs/editions.toml``.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective


ACTIVE_STATUSES = ("approved", "draft")
UNRELEASED = "unreleased"
PDF_THEME_DIR = Path(__file__).resolve().parent.parent / "editions" / "pdf_theme"


def edition_info(config: Config) -> dict[str, str]:
    """The stamp's values, as the templates and the PDF title page use them."""
    edition = config.guideline_edition or UNRELEASED
    status = config.guideline_edition_status or (UNRELEASED if edition == UNRELEASED else "draft")
    return {
        "id": edition,
        "date": config.guideline_edition_date or "",
        "status": status,
        "draft": status != "final",
        "url": config.guideline_edition_url or "",
        "summary": config.guideline_edition_summary or "",
    }


def stamp_text(info: dict[str, Any]) -> str:
    """One line, used for the HTML stamp and the PDF running header."""
    if info["id"] == UNRELEASED:
        return "Unreleased working copy (not an edition)"
    parts = [f"Edition {info['id']}"]
    if info["date"]:
        parts.append(info["date"])
    parts.append("DRAFT" if info["status"] == "draft" else info["status"])
    return " \u00b7 ".join(parts)


# -- HTML stamp ---------------------------------------------------------------

def _stamp_html(app: Sphinx, pagename: str, pathto: Any) -> str:
    info = edition_info(app.config)
    classes = "edition-stamp draft" if info["draft"] else "edition-stamp"
    extra = ""
    if info["status"] == "draft":
        extra = " <strong class=\"edition-draft\">DRAFT: not for clinical use.</strong>"
    whats_new = app.config.guideline_whats_new_doc
    if whats_new in app.env.found_docs and pagename != whats_new:
        extra += f' <a href="{html.escape(pathto(whats_new))}">What\u2019s new</a>'
    return (f'<div class="{classes}" role="note" data-edition="{html.escape(info["id"])}" '
             f'data-edition-status="{html.escape(info["status"])}">'
             f'{html.escape(stamp_text(info))}.{extra}</div>\n')


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    info = edition_info(app.config)
    context["guideline_edition"] = info
    context["guideline_stamp"] = stamp_text(info)
    if app.builder.name == "simplepdf":
        from ..presentation import printed

        printed.page_context(app, context)
        # One HTML file: links "#document-x#anchor" (toctree, views) must be "#anchor".
        for key in ("toc", "body"):
            if isinstance(context.get(key), str):
                context[key] = _DOUBLE_ANCHOR.sub('href="#', context[key])
        return
    if "body" not in context:
        return
    context["body"] = _stamp_html(app, pagename, context["pathto"]) + context["body"]


_DOUBLE_ANCHOR = re.compile(r'href="#document-[^"#]*#')
_BODY_TAG = re.compile(r"<body[^>]*>", re.IGNORECASE)


def _stamp_other_pages(app: Sphinx, exception: Exception | None) -> None:
    """Pages without a document body (search, genindex) get the stamp right after <body>."""
    if exception or app.builder.format != "html" or app.builder.name == "simplepdf":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        match = _BODY_TAG.search(text)
        if "data-edition=" in text or not match or 'http-equiv="refresh"' in text:
            continue
        depth = len(page.relative_to(outdir).parts) - 1
        prefix = "../" * depth

        def pathto(doc: str) -> str:
            return prefix + doc + app.builder.link_suffix

        stamp = _stamp_html(app, page.stem, pathto)
        page.write_text(text[:match.end()] + stamp + text[match.end():], encoding="utf-8")


# -- deterministic ids ---------------------------------------------------------

def _stabilise(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace sphinx-needs' random container ids (needtable and the like), so builds are byte-identical."""
    digest = hashlib.sha1(docname.encode("utf-8")).hexdigest()[:4]
    containers = [n for n in doctree.findall(nodes.container) if "need_container" in n.get("classes", [])]
    for index, node in enumerate(containers):
        node["ids"] = [f"SNCB-{digest}{index:04d}"]
    if app.builder.name == "simplepdf":
        # One HTML file: "#document-x#anchor" (e.g. toctree entries with anchors) is "#anchor".
        for ref in doctree.findall(nodes.reference):
            uri = ref.get("refuri", "")
            if uri.startswith("#document-") and uri.count("#") == 2:
                ref["refuri"] = "#" + uri.rsplit("#", 1)[1]


# -- setup --------------------------------------------------------------------------

_EDITION_ID = re.compile(r"^\d{4}\.\d+$")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _env_edition() -> str:
    """GUIDELINE_EDITION, else a Read the Docs version named like an edition (a tag 2026.1)."""
    rtd = _env("READTHEDOCS_VERSION")
    return _env("GUIDELINE_EDITION") or (rtd if _EDITION_ID.match(rtd) else UNRELEASED)


def _from_registry(docs: Path, edition: str) -> dict[str, str]:
    import tomllib

    try:
        data = tomllib.loads((Path(docs) / "editions.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    for entry in data.get("edition", []):
        # Only the canonical spelling (a TOML string): a float 2026.10 must not pass for "2026.1".
        if isinstance(entry, dict) and entry.get("id") == edition:
            return {"date": str(entry.get("date", "")), "status": str(entry.get("status", "")),
                    "summary": " ".join(str(entry.get("summary", "")).split())}
    return {}


def current_edition(docs: Path | None = None) -> dict[str, Any]:
    """The edition a build of the working tree is (environment, then docs/editions.toml)."""
    edition = _env_edition()
    info = {"id": edition, "date": _env("GUIDELINE_EDITION_DATE"), "status": _env("GUIDELINE_EDITION_STATUS"),
            "url": _env("GUIDELINE_EDITION_URL") or _env("READTHEDOCS_CANONICAL_URL")}
    if edition != UNRELEASED and docs is not None and not (info["date"] and info["status"]):
        known = _from_registry(docs, edition)
        info["date"] = info["date"] or known.get("date", "")
        info["status"] = info["status"] or known.get("status", "")
    return info


def _fill_from_registry(app: Sphinx, config: Config) -> None:
    edition = config.guideline_edition
    if edition and edition != UNRELEASED:
        known = _from_registry(Path(app.confdir), edition)
        config.guideline_edition_date = config.guideline_edition_date or known.get("date", "")
        config.guideline_edition_status = config.guideline_edition_status or known.get("status", "")
        config.guideline_edition_summary = config.guideline_edition_summary or known.get("summary", "")
    if config.guideline_edition_url and not _address_live(app, config.guideline_edition_url):
        config.guideline_edition_url = ""


def _address_live(app: Sphinx, url: str) -> bool:
    """False for an address under ``html_base_url`` while guideline.toml says it is not registered yet."""
    if _env("READTHEDOCS"):
        return True  # Read the Docs serves the build it makes: its canonical address is live
    from ..presentation.panel import load_front_matter

    front = load_front_matter(Path(app.confdir))
    base = front.html_base_url.rstrip("/")
    return front.html_base_url_live or not (base and url.startswith(base))


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_edition", _env_edition(), "env", types=(str,))
    app.add_config_value("guideline_edition_date", _env("GUIDELINE_EDITION_DATE"), "env", types=(str,))
    app.add_config_value("guideline_edition_status", _env("GUIDELINE_EDITION_STATUS"), "env", types=(str,))
    app.add_config_value("guideline_edition_url", _env("GUIDELINE_EDITION_URL") or _env("READTHEDOCS_CANONICAL_URL"),
                         "env", types=(str,))
    app.add_config_value("guideline_edition_summary", "", "env", types=(str,))
    app.add_config_value("guideline_whats_new", _env("GUIDELINE_WHATS_NEW"), "env", types=(str,))
    # Documents never printed in the clinical PDF (the toolchain's own pages).
    app.add_config_value("guideline_pdf_exclude", ["toolchain/*", "toolchain"], "env", types=(list,))
    app.add_config_value("guideline_whats_new_doc", "whats-new", "html", types=(str,))
    # Where reading order (and so recommendation numbering) starts, also in the handout build.
    app.add_config_value("guideline_main_doc", "index", "env", types=(str,))
    # After sphinx-needs (500) has built the need containers and views are filled.
    app.connect("doctree-resolved", _stabilise, priority=900)
    from ..presentation import printed

    printed.setup(app)
    app.connect("html-page-context", _page_context)
    app.connect("config-inited", _fill_from_registry)
    app.connect("build-finished", _stamp_other_pages)
    if PDF_THEME_DIR.is_dir():
        app.add_html_theme("guideline_pdf", str(PDF_THEME_DIR / "guideline_pdf"))

