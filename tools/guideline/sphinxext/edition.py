"""Editions inside the Sphinx build: the stamp, "what's new", the handout, stable ids.

- Every HTML page starts with the edition stamp (id, date, status; "unreleased"
  outside an edition build); a draft is marked DRAFT. The PDF theme
  (``guideline.editions.pdf``) gets the same values for its title page and
  running header.
- ``{whats-new}`` renders the diff of this edition against its predecessor from
  the JSON file the edition builder writes (``guideline_whats_new``).
- ``{edition-handout}`` lists the active recommendations with grade and level,
  numbered as in the full PDF (the handout PDF's only content).
- sphinx-needs gives each need container a random ``uuid4`` id; they are
  renumbered per page so two builds of the same sources give the same bytes.

The values come from ``-D``/``confoverrides`` (the edition builder) or the
environment (``GUIDELINE_EDITION``, ``GUIDELINE_EDITION_DATE``,
``GUIDELINE_EDITION_STATUS``, ``GUIDELINE_WHATS_NEW``, ``GUIDELINE_EDITION_URL``);
on Read the Docs a version named like an edition (tag ``2026.1``) is that
edition, its date and status read from ``docs/editions.toml``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective

from . import views

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


# -- deterministic ids and rec numbering --------------------------------------

def _rec_order(app: Sphinx, needs: dict[str, dict[str, Any]]) -> list[str]:
    """Active recommendations in reading order (toctree depth-first, then line)."""
    env = app.env
    order: list[str] = []
    seen: set[str] = set()

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(app.config.guideline_main_doc if app.config.guideline_main_doc in env.found_docs else app.config.root_doc)
    for doc in sorted(env.found_docs):
        walk(doc)
    position = {doc: index for index, doc in enumerate(order)}
    recs = [n for n in needs.values() if n["type"] == "rec" and n.get("status") in ACTIVE_STATUSES]
    recs.sort(key=lambda n: (position.get(n["docname"], len(position)), n.get("lineno") or 0, n["id"]))
    return [n["id"] for n in recs]


def rec_numbers(app: Sphinx) -> dict[str, int]:
    """Recommendation number by id, computed once per build (all needs are known by now)."""
    cached = getattr(app, "_guideline_rec_numbers", None)
    if cached is not None:
        return cached
    from sphinx_needs.data import SphinxNeedsData

    needs = {k: dict(v) for k, v in SphinxNeedsData(app.env).get_needs_view().items()}
    numbers = {rec_id: index for index, rec_id in enumerate(_rec_order(app, needs), start=1)}
    app._guideline_rec_numbers = numbers  # type: ignore[attr-defined]
    return numbers


def _stabilise(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace sphinx-needs' random container ids; number rec boxes in the PDF."""
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
    numbers: dict[str, int] | None = None
    for table in list(doctree.findall(nodes.table)):
        classes = table.get("classes", [])
        if "needs_type_rec" not in classes or not table.get("ids"):
            continue
        if numbers is None:
            numbers = rec_numbers(app)
        number = numbers.get(table["ids"][0])
        table["classes"].append("guideline-rec-active" if number else "guideline-rec-inactive")
        if number and app.builder.name == "simplepdf":
            label = nodes.paragraph(classes=["rec-number"])
            label += nodes.Text(f"Recommendation {number}")
            table.parent.insert(table.parent.index(table), label)


# -- what's new -----------------------------------------------------------------

class WhatsNew(SphinxDirective):
    """The generated change list of this edition (empty outside an edition build)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        views.mark_as_view(self.env, self.env.docname)
        path = self.config.guideline_whats_new
        if path:
            # Relative to the source folder (so the configuration holds no temporary path).
            path = str((Path(self.env.srcdir) / path).resolve())
            self.env.note_dependency(path)
        node = views.view_placeholder(view="whats-new", options={"path": path})
        self.set_source_info(node)
        return [node]


def _bullet(items: list[nodes.Node]) -> nodes.bullet_list:
    out = nodes.bullet_list()
    for item in items:
        entry = nodes.list_item()
        entry += item if isinstance(item, nodes.paragraph) else nodes.paragraph("", "", item)
        out += entry
    return out


def _ref_or_text(app: Sphinx, fromdoc: str, by_id: dict[str, dict], need_id: str) -> nodes.Node:
    need = by_id.get(need_id)
    return views._need_ref(app, fromdoc, need) if need else nodes.literal(text=need_id)


def _word_diff(ops: list[list[str]]) -> nodes.paragraph:
    para = nodes.paragraph(classes=["word-diff"])
    for op, text in ops:
        if op == "=":
            para += nodes.Text(text)
        elif op == "+":
            para += nodes.inline(text=text, classes=["diff-added"])
        else:
            para += nodes.inline(text=text, classes=["diff-removed"])
    return para


def render_whats_new(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    path = options.get("path")
    box = nodes.container(classes=["whats-new"])
    if not path or not Path(path).is_file():
        box += nodes.paragraph(text="The list of changes is generated when an edition is built "
                                    "(guideline edition build).")
        return box
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    by_id = {n["id"]: n for n in needs}
    recs = data["recommendations"]
    if data.get("from"):
        box += nodes.paragraph(text=f"Changes in edition {data['to']} since edition {data['from']} "
                                    f"(generated from both editions' needs.json).")
    else:
        box += nodes.paragraph(text=f"Edition {data['to']} is the first edition: every recommendation is new.")

    def section(title: str, body: list[nodes.Node]) -> None:
        sec = nodes.rubric(text=title)
        box.append(sec)
        if body:
            box.extend(body)
        else:
            box.append(nodes.paragraph(text="None."))

    def need_items(ids: list[str], detail: dict[str, str] | None = None) -> list[nodes.Node]:
        items = []
        for need_id in ids:
            para = nodes.paragraph()
            para += _ref_or_text(app, fromdoc, by_id, need_id)
            title = (by_id.get(need_id) or {}).get("title") or (detail or {}).get(need_id, "")
            if title:
                para += nodes.Text(f": {title}")
            items.append(para)
        return [_bullet(items)] if items else []

    section("Recommendations added", need_items(recs["added"]))
    changed: list[nodes.Node] = []
    for change in recs["changed"]:
        para = nodes.paragraph()
        para += _ref_or_text(app, fromdoc, by_id, change["id"])
        notes = [f"{name} {old or '-'} \u2192 {new or '-'}" for name, (old, new) in sorted(change["fields"].items())]
        if notes:
            para += nodes.Text(": " + "; ".join(notes))
        changed.append(para)
        if change.get("title_diff"):
            changed.append(_word_diff(change["title_diff"]))
        if change.get("text_diff"):
            changed.append(_word_diff(change["text_diff"]))
    section("Recommendations changed", changed)
    section("Recommendations superseded", need_items(recs["superseded"], data.get("titles")))
    section("Recommendations retired", need_items(recs["retired"], data.get("titles")))
    removed = recs.get("removed", [])
    if removed:
        section("Recommendations removed without a retirement record", need_items(removed, data.get("titles")))
    section("Claims added", need_items(data["claims"]["added"]))
    section("Claims removed", need_items(data["claims"]["removed"], data.get("titles")))
    refs = data["references"]
    section("References added", [_bullet([nodes.literal(text=k) for k in refs["added"]])] if refs["added"] else [])
    section("References removed", [_bullet([nodes.literal(text=k) for k in refs["removed"]])] if refs["removed"] else [])
    history = data.get("history", {})
    if history:
        rows = []
        for rec_id in sorted(history):
            entry = history[rec_id]
            rows.append([_ref_or_text(app, fromdoc, by_id, rec_id), entry.get("introduced_in") or "",
                         ", ".join(entry.get("changed_in", [])) or "-", entry.get("status") or ""])
        box += nodes.rubric(text="History of each recommendation")
        box += views._table(["Recommendation", "Introduced in", "Changed in", "Status"], rows, ["rec-history"])
    return box


# -- handout ----------------------------------------------------------------------

_ROLE = re.compile(r"\{(?P<role>[\w:\-]+)\}`(?P<body>[^`]*)`")


def plain_text(source: str) -> str:
    """The first paragraph of a need's MyST source, citations dropped, roles as text."""
    first = source.strip().split("\n\n", 1)[0]

    def role(match: re.Match) -> str:
        if match["role"].startswith(("cite", "footcite")):
            return ""
        body = match["body"]
        return body.split("<")[0].strip() if "<" in body else body

    text = _ROLE.sub(role, first)
    text = re.sub(r"\*\*|__|(?<!\w)\*|\*(?!\w)", "", text)
    text = re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\s+", " ", text))
    return text.strip()


class EditionHandout(SphinxDirective):
    """Active recommendations, numbered as in the full PDF, with grade and level."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        views.mark_as_view(self.env, self.env.docname)
        node = views.view_placeholder(view="edition-handout", options={})
        self.set_source_info(node)
        return [node]


def render_handout(app: Sphinx, fromdoc: str, needs: list[dict[str, Any]], options: dict) -> nodes.Node:
    """The panel's key recommendations (``key: true``), numbered as in the full PDF; all active
    recommendations when the panel marked none. Key good practice statements follow, unnumbered."""
    from ..grading import load_settings, rating_badge

    settings = load_settings(app.srcdir)
    by_id = {n["id"]: n for n in needs}
    numbered = list(enumerate(_rec_order(app, by_id), start=1))
    statements = sorted((n for n in needs if n["type"] == "gps" and views.is_key(n)),
                        key=lambda n: (n["docname"], n.get("lineno") or 0))
    if any(views.is_key(by_id[rec_id]) for _, rec_id in numbered) or statements:
        numbered = [(number, rec_id) for number, rec_id in numbered if views.is_key(by_id[rec_id])]
    box = nodes.container(classes=["handout"])
    items = [(f"{number}. ", by_id[rec_id]) for number, rec_id in numbered] + [("", n) for n in statements]
    for prefix, rec in items:
        item = nodes.container(classes=["handout-rec"])
        head = nodes.paragraph(classes=["handout-head"])
        if prefix:
            head += nodes.inline(text=prefix, classes=["handout-number"])
        head += nodes.strong(text=rec["title"])
        grade = nodes.inline(text=rating_badge(rec, settings)[0], classes=["handout-grade"])
        head += nodes.Text(" ")
        head += grade
        item += head
        body = nodes.paragraph(classes=["handout-text"])
        body += nodes.Text(plain_text(rec.get("content") or ""))
        body += nodes.Text(" ")
        rec_id = rec["id"]
        tag = f"{rec_id} \u00b7 draft" if rec.get("status") == "draft" else rec_id
        body += nodes.inline(text=f"[{tag}]", classes=["handout-id"])
        item += body
        box += item
    return box


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
            return {"date": str(entry.get("date", "")), "status": str(entry.get("status", ""))}
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
    if edition and edition != UNRELEASED and not (config.guideline_edition_date and config.guideline_edition_status):
        known = _from_registry(Path(app.confdir), edition)
        config.guideline_edition_date = config.guideline_edition_date or known.get("date", "")
        config.guideline_edition_status = config.guideline_edition_status or known.get("status", "")


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_edition", _env_edition(), "env", types=(str,))
    app.add_config_value("guideline_edition_date", _env("GUIDELINE_EDITION_DATE"), "env", types=(str,))
    app.add_config_value("guideline_edition_status", _env("GUIDELINE_EDITION_STATUS"), "env", types=(str,))
    app.add_config_value("guideline_edition_url", _env("GUIDELINE_EDITION_URL") or _env("READTHEDOCS_CANONICAL_URL"),
                         "env", types=(str,))
    app.add_config_value("guideline_whats_new", _env("GUIDELINE_WHATS_NEW"), "env", types=(str,))
    app.add_config_value("guideline_whats_new_doc", "whats-new", "html", types=(str,))
    # Where reading order (and so recommendation numbering) starts, also in the handout build.
    app.add_config_value("guideline_main_doc", "index", "env", types=(str,))
    app.add_directive("whats-new", WhatsNew)
    app.add_directive("edition-handout", EditionHandout)
    views.register_renderer("whats-new", render_whats_new)
    views.register_renderer("edition-handout", render_handout)
    # After sphinx-needs (500) has built the need containers and views are filled.
    app.connect("doctree-resolved", _stabilise, priority=900)
    app.connect("html-page-context", _page_context)
    app.connect("config-inited", _fill_from_registry)
    app.connect("build-finished", _stamp_other_pages)
    if PDF_THEME_DIR.is_dir():
        app.add_html_theme("guideline_pdf", str(PDF_THEME_DIR / "guideline_pdf"))

