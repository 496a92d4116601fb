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


def _level(section: nodes.section) -> int:
    level, parent = 1, section.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            level += 1
        parent = parent.parent
    return level


def contents(tree: nodes.document) -> list[dict[str, Any]]:
    """Top-level sections, parts and each page's title: (level, unique anchor, title)."""
    out: list[dict[str, Any]] = []
    for section in tree.findall(nodes.section):
        sof = section.parent if isinstance(section.parent, addnodes.start_of_file) else None
        first_of_page = sof is not None and next(
            (c for c in sof.children if isinstance(c, nodes.section)), None) is section
        if not (first_of_page or "pdf-part" in section["classes"] or "pdf-front" in section["classes"]):
            continue
        level = _level(section)
        if level > MAX_LEVEL or not section.children or not isinstance(section[0], nodes.title):
            continue
        anchor = f"pdf-{nodes.make_id(sof['docname'])}" if sof is not None else section["ids"][0]
        if anchor not in section["ids"]:
            section["ids"].insert(0, anchor)
        out.append({"level": level, "anchor": anchor, "title": section[0].astext(),
                    "part": "pdf-part" in section["classes"]})
    return out


def page_context(app: Any, context: dict) -> None:
    from .panel import load_front_matter

    context["guideline_contents"] = getattr(app, CONTENTS_ATTR, None) or []
    context["guideline_front"] = load_front_matter(app.confdir)


def setup(app: Any) -> None:
    # After the cards and views (500), before the single-file link fix-up (900).
    app.connect("doctree-resolved", restructure, priority=880)
