"""Cache pybtex's plugin look-ups: sphinxcontrib-bibtex repeats them once per citation.

Resolving each ``{cite:p}`` calls ``pybtex.plugin.find_plugin`` (a formatting
style, a backend), which asks ``importlib.metadata.entry_points`` and so reads
the entry points of every installed distribution again. With 1,000 citations
that was about half of the build. The answer for a (group, name) pair cannot
change while the process runs, so it is looked up once.

Only the entry-point scan is cached, not ``find_plugin`` itself: plugins
registered at runtime with ``register_plugin`` are still found first, and every
caller is covered however it imported ``find_plugin``. Output is unchanged
(tests/perf/test_bibcache.py compares the HTML with and without the cache).
Set ``guideline_bib_cache = False`` in conf.py to build without it.
"""

from __future__ import annotations

import functools
from importlib import metadata
from types import ModuleType
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


@functools.lru_cache(maxsize=None)
def _cached_entry_points(**selection: str) -> metadata.EntryPoints:
    return metadata.entry_points(**selection)


def _plugin_modules() -> list[ModuleType]:
    """The modules that call ``entry_points`` by a module-level name."""
    import pybtex.plugin
    import sphinxcontrib.bibtex.plugin

    return [pybtex.plugin, sphinxcontrib.bibtex.plugin]


def install() -> None:
    for module in _plugin_modules():
        module.entry_points = _cached_entry_points  # type: ignore[attr-defined]


def uninstall() -> None:
    for module in _plugin_modules():
        module.entry_points = metadata.entry_points  # type: ignore[attr-defined]
    _cached_entry_points.cache_clear()


def is_installed() -> bool:
    return all(module.entry_points is _cached_entry_points for module in _plugin_modules())  # type: ignore[attr-defined]


def _on_config_inited(app: Sphinx, config: Config) -> None:
    if config.guideline_bib_cache:
        install()
    else:
        uninstall()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("guideline_bib_cache", True, "", types=(bool,))
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
