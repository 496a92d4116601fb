"""HTML of view blocks kept between builds: an edit rewrites only the blocks it changed.

A view page (the overview, the traceability page) lists every recommendation, so
after a one-page edit it is rewritten whole; that keeps the views current, and at
10,000 needs it cost more than the rest of the rebuild. The views therefore hand
out their output in blocks (one per recommendation on the traceability page, one
table per chapter on the overview), each naming its inputs: the needs it shows
(all their data, their number and the words that name them), the references it
cites and the view's own parameters. A block whose inputs are unchanged is written
from the HTML that the page's own translator produced for it in an earlier build;
a changed block is rendered, and its HTML is captured while the page is written.

- The key of a block also holds the page, the builder, the grading settings, the
  HTML settings, the versions of Sphinx and docutils and the source code of the
  presentation layer: changing any of them renders every block again.
- Only builders that write HTML one page at a time (html, dirhtml) use stored
  HTML; every other builder (PDF, singlehtml, text) renders every block.
- Blocks carry the class ``no-search``: Sphinx's search index leaves them out (a
  block written from the store has no nodes to index). Their words are indexed on
  the chapter pages where the recommendations live.
- The store is an SQLite file beside the doctrees (``guideline-view-blocks.sqlite3``),
  by page: a block is looked up by its key, and a written page's entries are
  brought to the blocks it now shows (new ones added, stale ones deleted) in one
  transaction. An edit so writes a few blocks, not the whole store, and the store
  never outgrows what the views show. A file that is not such a store is
  deleted and built again.
- ``guideline_view_cache = False`` in conf.py renders every block every time;
  tests/perf/test_viewcache.py checks that the HTML is byte for byte the same
  either way, after edits of each kind of input.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

STORE_NAME = "guideline-view-blocks.sqlite3"
STORE_FORMAT = 1
CACHE_ATTR = "_guideline_view_blocks"  # on the builder: the translator reaches it there
CACHING_BUILDERS = ("html", "dirhtml")
# Settings that change a block's HTML: what the translator reads, and the link targets' file names.
_HTML_SETTINGS = ("html_compact_lists", "html_permalinks", "html_permalinks_icon", "html_secnumber_suffix",
                  "html_file_suffix", "html_link_suffix", "smartquotes", "language")
logger = logging.getLogger(__name__)


class cached_block(nodes.General, nodes.Element):
    """One block of a view. ``html``: its stored HTML (then it has no children);
    ``capture``: the key under which the translator stores the HTML it writes."""


def _code_fingerprint() -> str:
    """The presentation layer's source: a change of code must not reuse old HTML."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*root.joinpath("presentation").glob("*.py"), root / "grading.py", Path(__file__)]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_CODE: list[str] = []  # computed once per process


def _need_data(need: dict[str, Any]) -> str:
    """All of a need's data as text: marshal (C, 4x faster than repr at 10,000 needs) where it can.
    A different field order or Python version only makes a block render again, never reuse."""
    try:
        return marshal.dumps(need, 2).hex()  # version 2: no back-references, which depend on object identity
    except ValueError:  # a value marshal does not know
        return repr(sorted(need.items(), key=lambda item: item[0]))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class ViewBlocks:
    """The blocks of one build: keys, stored HTML, HTML captured while writing."""

    def __init__(self, app: Sphinx, stored: bool) -> None:
        self.app = app
        self.uses_store = stored
        self.path = Path(app.doctreedir) / STORE_NAME
        self._store: Store | None = None
        self.used: dict[str, dict[str, str | None]] = {}  # docname -> key -> HTML (None: captured later)
        self._need_prints: dict[str, str] = {}
        self._build_print: str | None = None
        self.hits = 0
        self.misses = 0

    # -- keys -------------------------------------------------------------------------------

    def _build_fingerprint(self, cat: Any) -> str:
        if self._build_print is None:
            if not _CODE:
                _CODE.append(_code_fingerprint())
            import docutils
            import sphinx

            config = self.app.config
            settings = repr([(name, getattr(config, name, None)) for name in _HTML_SETTINGS])
            self._build_print = _digest(str(STORE_FORMAT), self.app.builder.name, sphinx.__version__,
                                        docutils.__version__, _CODE[0], repr(cat.settings), settings)
        return self._build_print

    def _need_print(self, cat: Any, need_id: str) -> str:
        found = self._need_prints.get(need_id)
        if found is None:
            from ..presentation.words import need_words

            need = cat.needs.get(need_id)
            if need is None:
                found = _digest("missing", need_id)
            else:
                found = _digest(need_id, _need_data(need), cat.numbering.number(need_id),
                                need_words(need, cat.numbering))
            self._need_prints[need_id] = found
        return found

    def key(self, cat: Any, docname: str, kind: str, need_ids: Iterable[str], cites: Iterable[str],
            extra: Any) -> str:
        return _digest(self._build_fingerprint(cat), docname, kind, repr(extra),
                       *(self._need_print(cat, i) for i in need_ids),
                       *(repr(cat.references.get(k)) for k in cites))

    # -- blocks -----------------------------------------------------------------------------

    def _lookup(self, docname: str, key: str) -> str | None:
        if self._store is None:
            self._store = Store.open(self.path)
        return self._store.get(docname, key)

    def block(self, cat: Any, docname: str, kind: str, need_ids: Iterable[str], cites: Iterable[str],
              extra: Any, render: Callable[[], nodes.Node]) -> cached_block:
        """The block as a node: with its stored HTML, or rendered (and its HTML captured)."""
        node = cached_block(classes=["no-search"])
        if not self.uses_store:
            node += render()
            return node
        key = self.key(cat, docname, kind, need_ids, cites, extra)
        html = self._lookup(docname, key)
        page = self.used.setdefault(docname, {})
        if html is not None:
            self.hits += 1
            node["html"] = page[key] = html
            return node
        self.misses += 1
        page.setdefault(key, None)
        node["capture"] = key
        node["docname"] = docname
        node += render()
        return node

    def captured(self, docname: str, key: str, html: str) -> None:
        page = self.used.setdefault(docname, {})
        page[key] = html

    def save(self, found_docs: set[str]) -> None:
        """Each written page keeps exactly the blocks it shows now; pages no longer in the project go."""
        if not self.uses_store or not self.used:
            return
        if self._store is None:
            self._store = Store.open(self.path)
        self._store.replace_pages({doc: {k: h for k, h in blocks.items() if h is not None}
                                   for doc, blocks in self.used.items()}, found_docs)


class Store:
    """The HTML of view blocks by (page, key), in one SQLite file."""

    def __init__(self, path: Path, db: sqlite3.Connection | None) -> None:
        self.path = path
        self.db = db

    @classmethod
    def open(cls, path: Path) -> Store:
        try:
            return cls(path, _connect(path))
        except sqlite3.DatabaseError:  # not a database, or not this format: start again
            pass
        try:
            path.unlink(missing_ok=True)
            return cls(path, _connect(path))
        except (OSError, sqlite3.DatabaseError) as err:
            logger.info("view blocks not stored (%s): every block is rendered", err)
            return cls(path, None)

    def get(self, page: str, key: str) -> str | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT html FROM blocks WHERE page = ? AND key = ?", (page, key)).fetchone()
        except sqlite3.DatabaseError:  # damaged while in use: render the block
            return None
        return row[0] if row and isinstance(row[0], str) else None

    def replace_pages(self, pages: dict[str, dict[str, str]], found_docs: set[str]) -> None:
        """One transaction: each page's blocks become ``pages[page]``; pages not found go."""
        db = self.db
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            for page, blocks in pages.items():
                stored = {row[0] for row in db.execute("SELECT key FROM blocks WHERE page = ?", (page,))}
                db.executemany("DELETE FROM blocks WHERE page = ? AND key = ?",
                               [(page, k) for k in stored - blocks.keys()])
                db.executemany("INSERT INTO blocks (page, key, html) VALUES (?, ?, ?)",
                               [(page, k, h) for k, h in blocks.items() if k not in stored])
            gone = [row for row in db.execute("SELECT DISTINCT page FROM blocks").fetchall()
                    if row[0] not in found_docs]
            db.executemany("DELETE FROM blocks WHERE page = ?", gone)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as err:  # the old blocks stay (rolled back): only time is lost
            if db.in_transaction:
                db.execute("ROLLBACK")
            logger.info("view blocks not stored (%s): the next build renders them again", err)
        finally:
            db.close()
            self.db = None


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # autocommit; replace_pages opens its transaction
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if (version, tables) == (0, set()):  # new file
            db.execute("CREATE TABLE blocks (page TEXT NOT NULL, key TEXT NOT NULL, html TEXT NOT NULL, "
                       "PRIMARY KEY (page, key)) WITHOUT ROWID")
            db.execute(f"PRAGMA user_version = {STORE_FORMAT}")
        elif (version, tables) != (STORE_FORMAT, {"blocks"}):
            raise sqlite3.DatabaseError(f"store format {version} with tables {sorted(tables)}")
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def blocks_for(app: Sphinx) -> ViewBlocks:
    """This build's blocks (created on first use, so a build without views never reads the store)."""
    found = getattr(app.builder, CACHE_ATTR, None)
    if found is None:
        stored = bool(app.config.guideline_view_cache) and app.builder.name in CACHING_BUILDERS
        found = ViewBlocks(app, stored)
        setattr(app.builder, CACHE_ATTR, found)
    return found


# -- the translator ---------------------------------------------------------------------

def _visit_html(self: Any, node: cached_block) -> None:
    html = node.get("html")
    if html is not None:
        self.body.append(html)
        raise nodes.SkipNode
    if node.get("capture"):
        node["_start"] = len(self.body)


def _depart_html(self: Any, node: cached_block) -> None:
    key = node.get("capture")
    blocks = getattr(self.builder, CACHE_ATTR, None)
    if key and blocks is not None:
        blocks.captured(node["docname"], key, "".join(self.body[node["_start"]:]))


def _pass(self: Any, node: nodes.Node) -> None:
    pass


def _save(app: Sphinx, exception: Exception | None) -> None:
    blocks = getattr(app.builder, CACHE_ATTR, None)
    if blocks is None or exception is not None:
        return
    try:
        blocks.save(set(app.env.found_docs))
    except (OSError, sqlite3.Error) as err:  # a store that cannot be written costs time next build, nothing else
        logger.info("view blocks not stored (%s): the next build renders them again", err)
    logger.verbose("view blocks: %d from the store, %d rendered", blocks.hits, blocks.misses)


def setup(app: Sphinx) -> None:
    app.add_config_value("guideline_view_cache", True, "", types=(bool,))
    others = {name: (_pass, _pass) for name in ("latex", "text", "man", "texinfo")}
    app.add_node(cached_block, html=(_visit_html, _depart_html), **others)
    app.connect("build-finished", _save)
