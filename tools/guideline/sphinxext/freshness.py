"""Pages that show another page's need outside a view: written again when that need changes.

A ``{need}`` role prints the need's title, and a need card lists the needs that
link to it ("supports: REC_..."). Both are rendered at write time from the
current needs, but Sphinx only writes pages whose own source changed, so after
an edit elsewhere they would keep the old title or the old back-links
(sphinx-needs' incremental build has the same gap). View pages are handled in
:mod:`.views`; this module covers the rest, precisely, so an edit does not turn
into a full rebuild:

1. at ``doctree-read``, note which need IDs each page references through a role;
2. before reading, note what other pages can show of the needs on the pages
   about to be read: title and outgoing links;
3. at ``env-updated``, compare; pages referencing a changed need, and pages
   holding the old or new targets of its links, are written again (not re-read:
   everything they show of other needs is resolved at write time).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .. import model

REFS_KEY = "guideline_need_refs"  # docname -> IDs of needs the page shows through a role
BEFORE_ATTR = "_guideline_needs_before_read"  # need ID -> (docname, what other pages show of it)
LINK_NAMES = ("links", *(link.name for link in model.LINKS))


def _refs(env: BuildEnvironment) -> dict[str, set[str]]:
    if not hasattr(env, REFS_KEY):
        setattr(env, REFS_KEY, {})
    return getattr(env, REFS_KEY)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _refs(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    theirs = getattr(other, REFS_KEY, {})
    _refs(env).update({d: theirs[d] for d in docnames if d in theirs})


def _note_refs(app: Sphinx, doctree: nodes.document) -> None:
    from sphinx_needs.roles.need_incoming import NeedIncoming
    from sphinx_needs.roles.need_outgoing import NeedOutgoing
    from sphinx_needs.roles.need_ref import NeedRef

    ids = {node["reftarget"].split(".")[0] for cls in (NeedRef, NeedIncoming, NeedOutgoing)
           for node in doctree.findall(cls) if node.get("reftarget")}
    if ids:
        _refs(app.env)[app.env.docname] = ids


def _shown(need: Any) -> tuple:
    """What other pages show of a need: its title (roles), and the targets of its links (their back-links)."""
    return (need.get("title"), tuple(tuple(need.get(name) or ()) for name in LINK_NAMES))


def _needs_on(env: BuildEnvironment, docnames: set[str]) -> dict[str, tuple[str, tuple]]:
    from sphinx_needs.data import SphinxNeedsData

    # The read-phase store: before reading, the needs view may not be taken yet.
    needs = SphinxNeedsData(env)._env_needs
    return {need_id: (need["docname"], _shown(need)) for need_id, need in needs.items()
            if need.get("docname") in docnames}


def _remember(app: Sphinx, env: BuildEnvironment, docnames: set[str]) -> None:
    before = getattr(app, BEFORE_ATTR, None) or {}
    before.update(_needs_on(env, docnames))
    setattr(app, BEFORE_ATTR, before)


def _before_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                     removed: set[str]) -> list[str]:
    setattr(app, BEFORE_ATTR, {})
    _remember(app, env, removed)  # removed pages are purged before env-before-read-docs
    return []


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _remember(app, env, set(docnames))
    setattr(app, "_guideline_read_docs", set(docnames))


def _to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    before: dict[str, tuple[str, tuple]] = getattr(app, BEFORE_ATTR, None) or {}
    read = getattr(app, "_guideline_read_docs", set())
    setattr(app, BEFORE_ATTR, None)
    if not read and not before:
        return []
    from sphinx_needs.data import SphinxNeedsData

    after = _needs_on(env, read)
    gone = (None, (None, ()))

    def differs(need_id: str, part: int) -> bool:
        return (before.get(need_id) or gone)[1][part] != (after.get(need_id) or gone)[1][part]

    ids = before.keys() | after.keys()
    new_titles = {i for i in ids if differs(i, 0)}
    new_links = {i for i in ids if differs(i, 1)}
    if not new_titles and not new_links:
        return []
    all_needs = SphinxNeedsData(env)._env_needs
    # Roles print the title; back-link rows print only IDs, so they change with the links.
    docs = {doc for doc, refs in _refs(env).items() if refs & new_titles}
    for need_id in new_links:
        for state in (before.get(need_id), after.get(need_id)):
            for targets in (state[1][1] if state else ()):
                docs.update(all_needs[t]["docname"] for t in targets if t in all_needs)
    return sorted(docs - read)


def setup(app: Sphinx) -> None:
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _note_refs)
    app.connect("env-get-outdated", _before_outdated, priority=400)
    app.connect("env-before-read-docs", _before_read)
    app.connect("env-updated", _to_rewrite)
