"""The full PDF's structure: clinical pages only, major parts, contents that match the pages.

The PDF builder (sphinx-simplepdf, one HTML file) inlines every page into the
root page, nested inside whatever section held the toctree. Here, on that one
assembled tree:

1. pages matching ``guideline_pdf_exclude`` (the Toolchain) are removed, and
   links to them become plain text: a clinical PDF holds clinical content only;
2. the root page's sections become top-level and each toctree of the root page
   (its caption: "Guideline", "Evidence") becomes a part, so headings, and
   therefore PDF bookmarks, mirror the section tree; only parts start a page;
3. the contents are the parts and page titles, each linked to a section id
   that is unique in the file (the page numbers come from those targets).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from docutils import nodes
from sphinx import addnodes

CONTENTS_ATTR = "_guideline_pdf_contents"
MAX_LEVEL = 3


def excluded(app: Any, docname: str) -> bool:
    return any(fnmatch.fnmatch(docname, pattern) for pattern in app.config.guideline_pdf_exclude)


def _outer_file(node: nodes.Node) -> addnodes.start_of_file | None:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.start_of_file):
            return parent
        parent = parent.parent
    return None


def _reparent(node: nodes.Element) -> None:
    """Sphinx's inlining gives ``start_of_file`` children without re-parenting them; repair that."""
    stack = [node]
    while stack:
        current = stack.pop()
        for child in current.children:
            child.parent = current
            if isinstance(child, nodes.Element):
                stack.append(child)


def _drop_excluded(app: Any, tree: nodes.document) -> None:
    for sof in list(tree.findall(addnodes.start_of_file)):
        if excluded(app, sof["docname"]) and sof.parent is not None:
            sof.parent.remove(sof)
    for ref in list(tree.findall(nodes.reference)):
        uri = ref.get("refuri", "")
        if uri.startswith("#document-") and excluded(app, uri[len("#document-"):].split("#", 1)[0]):
            ref.replace_self(nodes.inline("", "", *ref.children))
    for wrapper in list(tree.findall(nodes.compound)):
        if "toctree-wrapper" in wrapper.get("classes", []) and not wrapper.children:
            wrapper.parent.remove(wrapper)


def _parts(app: Any) -> list[tuple[str, list[str]]]:
    root = app.env.get_doctree(app.config.root_doc)
    return [(toc.get("caption") or "", [str(f) for f in toc["includefiles"]]) for toc in root.findall(addnodes.toctree)]


def restructure(app: Any, tree: nodes.document, docname: str) -> None:
    if app.builder.name != "simplepdf" or docname != app.config.root_doc:
        return
    if (app.config.simplepdf_theme_options or {}).get("kind") == "handout":
        return
    _reparent(tree)
    _drop_excluded(app, tree)
    top = {sof["docname"]: sof for sof in tree.findall(addnodes.start_of_file) if _outer_file(sof) is None}
    parts: list[nodes.section] = []
    for caption, files in _parts(app):
        chosen = [top.pop(f) for f in files if f in top]
        if not chosen:
            continue
        part = nodes.section(ids=[f"pdf-part-{nodes.make_id(caption) or len(parts) + 1}"], classes=["pdf-part"])
        part += nodes.title(text=caption or "Guideline")
        for sof in chosen:
            sof.parent.remove(sof)
            part += sof
        parts.append(part)
    for wrapper in list(tree.findall(nodes.compound)):
        if "toctree-wrapper" in wrapper.get("classes", []) and not wrapper.children:
            wrapper.parent.remove(wrapper)
    root = next((c for c in tree.children if isinstance(c, nodes.section)), None)
    if root is not None:
        # The title page carries the root page's title; its sections stand on their own.
        kept = [c for c in root.children if not isinstance(c, nodes.title)]
        root.replace_self(kept)
        for child in kept:
            if isinstance(child, nodes.section):
                child["classes"].append("pdf-front")
    tree.extend(parts)
    setattr(app, CONTENTS_ATTR, contents(tree))


def contents(tree: nodes.document) -> list[dict[str, Any]]:
    """Top-level sections, parts and each page's title: (level, unique anchor, title).

    Walked from the top with explicit depth: Sphinx's inlining sets the children of
    a ``start_of_file`` without re-parenting them, so ``.parent`` cannot be trusted.
    """
    out: list[dict[str, Any]] = []

    def walk(node: nodes.Element, level: int, page: str | None) -> None:
        first_section_seen = False
        for child in node.children:
            if isinstance(child, addnodes.start_of_file):
                walk(child, level, child["docname"])
            elif isinstance(child, nodes.section):
                starts_page = page is not None and not first_section_seen
                first_section_seen = True
                classes = child.get("classes", [])
                listed = starts_page or "pdf-part" in classes or "pdf-front" in classes
                if listed and level + 1 <= MAX_LEVEL and child.children and isinstance(child[0], nodes.title):
                    # On the heading, not the section: a section may start at the foot of a page
                    # whose heading is pushed to the next one, and the contents must name that page.
                    anchor = f"pdf-{nodes.make_id(page) if starts_page else child['ids'][0]}"
                    child[0]["ids"] = [anchor]
                    out.append({"level": level + 1, "anchor": anchor, "title": child[0].astext(),
                                "part": "pdf-part" in classes})
                walk(child, level + 1, None)
            elif isinstance(child, nodes.Element):
                walk(child, level, page if not first_section_seen else None)

    walk(tree, 0, None)
    return out


def page_context(app: Any, context: dict) -> None:
    from .panel import load_front_matter

    context["guideline_contents"] = getattr(app, CONTENTS_ATTR, None) or []
    context["guideline_front"] = load_front_matter(app.confdir)


def check_handout(app: Any, exception: Exception | None) -> None:
    """The handout must fit one A4 page: warn, naming what falls on later pages (read back from the PDF)."""
    if exception or app.builder.name != "simplepdf" or (app.config.simplepdf_theme_options or {}).get("kind") != "handout":
        return
    from pathlib import Path

    from pypdf import PdfReader
    from sphinx.util import logging

    from .state import catalogue
    from .views import handout_item_id

    path = Path(app.outdir) / (app.config.simplepdf_file_name or "")
    if not path.is_file():
        return
    reader = PdfReader(str(path))
    if len(reader.pages) <= 1:
        return
    cat = catalogue(app)
    ids, fallback = cat.key_recommendations()
    pages = {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}
    late = [f"{cat.numbering.number(i)} ({cat.needs[i].get('title')})" for i in ids
            if pages.get(handout_item_id(cat.numbering.number(i)), 0) > 0]
    shown = "; ".join(late[:8]) + (f"; and {len(late) - 8} more" if len(late) > 8 else "")
    what = f"recommendation{'s' if len(late) > 1 else ''} {shown} fall" if late else "the key to the ratings falls"
    why = (f"no recommendation is marked key: true, so all {len(ids)} recommendations in force are listed"
           if fallback else f"{len(ids)} recommendations are marked key: true")
    logging.getLogger(__name__).warning(
        f"[handout.overflow] the handout takes {len(reader.pages)} pages, not one: {what} after page 1; {why}. "
        "Mark fewer key recommendations (key: true) or shorten their first paragraph.",
        type="guideline", subtype="handout.overflow")


def setup(app: Any) -> None:
    # After the cards and views (500), before the single-file link fix-up (900).
    app.connect("doctree-resolved", restructure, priority=880)
    app.connect("build-finished", check_handout)
