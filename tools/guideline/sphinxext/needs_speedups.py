"""Stand-ins for three sphinx-needs changes that belong upstream; the output stays the same.

Three costs of sphinx-needs 9.1 grow with the number of needs (profiled at 10,000 needs):

1. Purge. ``SphinxNeedsData.remove_doc`` runs for every page read (``env-purge-doc``)
   and scans every need to find the page's own: pages x needs, about 2.5 s of a
   10,000-need full build. sphinx-needs registers every page that holds a need with
   ``add_doc`` (the "all" list of ``get_or_create_docs()``), so a page not in that list
   holds no need and the scan is skipped; the rest of ``remove_doc`` (the docs lists,
   needextend and needuml data) still runs, as the original's own code.
   *Upstream change:* keep the needs indexed by docname, so ``remove_doc`` visits only
   the page's needs.

2. Schema selects. ``validate_type_schema`` -> ``_check_select_match`` builds a
   projection dict of every need for every type schema (13 schemas x 10,000 needs,
   about 4 s in every build, a no-op too) to run the ``select`` schema on it. The
   guideline's selects are all ``{"properties": {"type": {"const": X}}}``
   (needs_config.py), which needs only the need's ``type``: JSON-schema semantics, so a
   need whose ``type`` is absent (None, dropped from the projection) matches too.
   Any other select shape, a non-string value, and ``needs_schema_debug_active``
   (which writes the projection to a debug file) take the original path.
   *Upstream change:* evaluate a select that is only a ``type`` const without
   projecting the need (or group the needs by type once per validation run).

3. needs.json. ``NeedsList.write_json`` calls ``json.dump(..., f)``, which encodes
   chunk by chunk with the pure-Python encoder (CPython uses its C encoder only for
   ``json.dumps``): about 2.3 s of every build at 10,000 needs, a no-op too. The same
   arguments to ``json.dumps`` give the same bytes at C speed.
   *Upstream change:* ``f.write(json.dumps(self.needs_list, sort_keys=True))``.

Each patch wraps one function and keeps the original (``guideline_original``); all
are installed only on the sphinx-needs version and signatures they were written
against (:func:`supported`), otherwise the build runs sphinx-needs' own code.
tests/perf/test_needs_speedups.py compares HTML, needs.json and warnings with and
without them. Set ``guideline_needs_speedups = False`` in conf.py to build without them.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Iterable

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

SUPPORTED_VERSION = "9.1."  # the sphinx-needs release these stand-ins were checked against
UNREGISTERED_ATTR = "_guideline_needs_unregistered_docs"  # env attribute, set for one read phase
logger = logging.getLogger(__name__)


# -- 1. purge: skip the scan of every need for a page that holds none ------------------

# Assumption, checked in sphinx-needs 9.1's source: every path that adds a need with a
# docname (the need directive, needimport, list2need, needservice) adds it while that
# page is read (docname = env.docname) and calls ``add_doc(env, env.docname)``; the need
# directive skips ``add_doc`` only when ``add_need`` raised before storing the need.
# External needs (``needs_external_needs``) have no docname. A need that another
# extension added through ``sphinx_needs.api.add_need`` without ``add_doc`` is caught
# by :func:`_note_unregistered` for the pages of earlier builds: those pages take the
# original scan.

def _wrap_remove_doc(remove_doc: Any) -> Any:
    @functools.wraps(remove_doc)
    def remove_doc_registered(self: Any, docname: str) -> None:
        env = self.env
        unregistered = getattr(env, UNREGISTERED_ATTR, None)
        if (unregistered is None  # outside a read phase noted by _note_unregistered
                or docname in unregistered
                or docname in self.get_or_create_docs().get("all", ())):
            return remove_doc(self, docname)
        needs = self._env_needs
        if getattr(env, "_needs_all_needs", None) is not needs:  # stored elsewhere: not this version's shape
            return remove_doc(self, docname)
        # The page holds no need: the original runs over no needs and does the rest.
        env._needs_all_needs = {}
        try:
            return remove_doc(self, docname)
        finally:
            env._needs_all_needs = needs

    remove_doc_registered.guideline_original = remove_doc  # type: ignore[attr-defined]
    return remove_doc_registered


def _note_unregistered(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                       removed: set[str]) -> Iterable[str]:
    """Before any page is purged (Sphinx emits env-get-outdated first): the pages whose
    needs are kept from earlier builds but which were never registered with ``add_doc``."""
    if is_installed():
        from sphinx_needs.data import SphinxNeedsData

        data = SphinxNeedsData(env)
        registered = set(data.get_or_create_docs().get("all", ()))
        setattr(env, UNREGISTERED_ATTR, {need["docname"] for need in data._env_needs.values()
                                         if need["docname"] and need["docname"] not in registered})
    return []


def _forget_unregistered(app: Sphinx, env: BuildEnvironment) -> None:
    if hasattr(env, UNREGISTERED_ATTR):
        delattr(env, UNREGISTERED_ATTR)  # not pickled: the next build notes its own


# -- 2. schema selects: a `type` const without projecting the need ----------------------

def type_const(raw: Any) -> str | None:
    """``X`` when the compiled select schema is exactly ``{"type": "object", "properties":
    {"type": {"const": X}}}`` with a string ``X`` (sphinx-needs adds ``"type": "string"``
    beside the const, which a string const implies); ``None`` for any other schema."""
    if not isinstance(raw, dict) or raw.keys() != {"$schema", "type", "properties"} or raw["type"] != "object":
        return None
    properties = raw["properties"]
    if not isinstance(properties, dict) or properties.keys() != {"type"}:
        return None
    rule = properties["type"]
    if not isinstance(rule, dict) or not (rule.keys() == {"const"}
                                          or (rule.keys() == {"const", "type"} and rule["type"] == "string")):
        return None
    const = rule["const"]
    return const if type(const) is str else None


def _wrap_check_select_match(check_select_match: Any) -> Any:
    from sphinx_needs.need_item import NeedItem

    last: list[Any] = [None, None]  # the last validator and its const: one schema runs over all needs

    @functools.wraps(check_select_match)
    def check_type_select(need: Any, validator: Any, *, select_field_names: frozenset[str], config: Any,
                          schema_path: list[str], need_path: list[str]) -> bool:
        if not config.schema_debug_active and "type" in select_field_names and isinstance(need, NeedItem):
            if last[0] is not validator:
                last[:] = [validator, type_const(validator.raw)]
            const = last[1]
            if const is not None:
                value = need["type"]
                if value is None:  # dropped from the projection: `properties` does not apply
                    return True
                if type(value) is str:
                    return value == const
        return check_select_match(need, validator, select_field_names=select_field_names, config=config,
                                  schema_path=schema_path, need_path=need_path)

    check_type_select.guideline_original = check_select_match  # type: ignore[attr-defined]
    return check_type_select


# -- 3. needs.json: the C encoder ------------------------------------------------------------

def _wrap_write_json(write_json: Any) -> Any:
    @functools.wraps(write_json)
    def write_json_at_once(self: Any, needs_file: str = "needs.json", needs_path: str = "") -> None:
        import json
        import os

        # The original's body, with json.dumps (C encoder) where it had json.dump.
        self._finalise()
        needs_dir = needs_path if needs_path else self.outdir
        with open(os.path.join(needs_dir, needs_file), "w") as f:
            f.write(json.dumps(self.needs_list, sort_keys=True))

    write_json_at_once.guideline_original = write_json  # type: ignore[attr-defined]
    return write_json_at_once


# -- switching on and off ----------------------------------------------------------------

def supported() -> bool:
    """The sphinx-needs version and the signatures the wrappers were written against."""
    import sphinx_needs
    from sphinx_needs.data import NeedsInfoType, SphinxNeedsData
    from sphinx_needs.needsfile import NeedsList
    from sphinx_needs.schema import core

    original_remove = getattr(SphinxNeedsData.remove_doc, "guideline_original", SphinxNeedsData.remove_doc)
    original_select = getattr(core._check_select_match, "guideline_original", core._check_select_match)
    return (sphinx_needs.__version__.startswith(SUPPORTED_VERSION)
            and list(inspect.signature(original_remove).parameters) == ["self", "docname"]
            and isinstance(inspect.getattr_static(SphinxNeedsData, "_env_needs"), property)
            and list(inspect.signature(original_select).parameters)
            == ["need", "validator", "select_field_names", "config", "schema_path", "need_path"]
            and "type" in NeedsInfoType.__annotations__
            and list(inspect.signature(getattr(NeedsList.write_json, "guideline_original", NeedsList.write_json))
                     .parameters) == ["self", "needs_file", "needs_path"]
            and callable(getattr(NeedsList, "_finalise", None)))


def install() -> bool:
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.schema import core

    if is_installed():
        return True
    if not supported():
        import sphinx_needs

        logger.verbose("guideline_needs_speedups: sphinx-needs %s is not the version they were written "
                       "for (%s*); its own code runs", sphinx_needs.__version__, SUPPORTED_VERSION)
        return False
    from sphinx_needs.needsfile import NeedsList

    SphinxNeedsData.remove_doc = _wrap_remove_doc(SphinxNeedsData.remove_doc)  # type: ignore[method-assign]
    core._check_select_match = _wrap_check_select_match(core._check_select_match)
    NeedsList.write_json = _wrap_write_json(NeedsList.write_json)  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.schema import core

    if hasattr(SphinxNeedsData.remove_doc, "guideline_original"):
        SphinxNeedsData.remove_doc = SphinxNeedsData.remove_doc.guideline_original  # type: ignore[method-assign]
    if hasattr(core._check_select_match, "guideline_original"):
        core._check_select_match = core._check_select_match.guideline_original
    from sphinx_needs.needsfile import NeedsList

    if hasattr(NeedsList.write_json, "guideline_original"):
        NeedsList.write_json = NeedsList.write_json.guideline_original  # type: ignore[method-assign]


def is_installed() -> bool:
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.schema import core

    from sphinx_needs.needsfile import NeedsList

    return (hasattr(SphinxNeedsData.remove_doc, "guideline_original")
            and hasattr(core._check_select_match, "guideline_original")
            and hasattr(NeedsList.write_json, "guideline_original"))


def _on_config_inited(app: Sphinx, config: Config) -> None:
    if config.guideline_needs_speedups:
        install()
    else:
        uninstall()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("guideline_needs_speedups", True, "", types=(bool,))
    app.connect("config-inited", _on_config_inited)
    app.connect("env-get-outdated", _note_unregistered)
    app.connect("env-updated", _forget_unregistered)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
