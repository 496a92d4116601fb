"""Python's cyclic garbage collector, tuned for the length of one build.

Why: a build keeps the whole environment alive (every need, every doctree it
touches, the unpickled env of the last build). Each collection of the oldest
generation walks all of it, and at Python's default threshold (a young
collection every 700 allocations) a large view page, thousands of docutils
nodes, sets off many of them. The objects a build creates are almost all
kept until the page is written, so collecting them early frees little.

Measured (benchmarks/synth.py site of 4,000 needs, one-page edit, CPU time):
10.0-11.2 s with the default thresholds, 7.4 s with these, 6.8 s with the
collector off; peak memory unchanged (319 MiB). At 10,000 needs the full
build's peak grew from 672 to 887 MiB (docs/toolchain/performance.md).

The thresholds are raised when the configuration is read (before the pickled
environment is loaded) and put back when the build finishes, so a process that
builds in-process (tests, ``guideline edition build``) keeps its own setting
afterwards; ``guideline build``, whose process ends with the build, leaves the
collector off instead (:func:`process_ends_with_build`).

The environment is also frozen (``gc.freeze``) twice: once loaded, and once every
page is read. A collection of the oldest generation then walks only what the
following phase creates, not the million objects of the environment (at 10,000
needs a full collection cost seconds, and a full build ran several). Frozen
objects are not collected until the build finishes, when they are unfrozen:
garbage made while reading is freed then, not during the write phase. 10,000
needs, full build: 61.8 s -> 47.7 s wall with the two changes (a 6 s collection
of the whole environment mid-build, another of it as garbage after Sphinx
returned); peak memory 1,062 -> 1,164 MiB.
"""

from __future__ import annotations

import gc
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

BUILD_THRESHOLDS = (50_000, 10, 10)  # young generation every 50,000 allocations instead of 700
BEFORE_ATTR = "_guideline_gc_thresholds_before"
_PROCESS_ENDS_WITH_BUILD = [False]


def process_ends_with_build() -> None:
    """Called by a command whose process ends when its one Sphinx build ends (``guideline build``).

    The environment becomes garbage when Sphinx returns: a collection of it took 6 s
    after a 10,000-need full build. Such a process leaves it to the operating system.
    """
    _PROCESS_ENDS_WITH_BUILD[0] = True


def _raise_thresholds(app: Sphinx, config: Config) -> None:
    if getattr(app, BEFORE_ATTR, None) is None:
        setattr(app, BEFORE_ATTR, gc.get_threshold())
    gc.set_threshold(*BUILD_THRESHOLDS)


def _freeze(*_: Any) -> None:
    """Everything alive now (the loaded or the freshly read environment) is out of the collector's walks."""
    gc.freeze()


def _restore_thresholds(app: Sphinx, exception: Exception | None) -> None:
    before = getattr(app, BEFORE_ATTR, None)
    if before is not None and _PROCESS_ENDS_WITH_BUILD[0]:
        gc.disable()  # nothing follows but writing the report and exiting
        return
    if before is not None:
        gc.unfreeze()
        gc.set_threshold(*before)
        setattr(app, BEFORE_ATTR, None)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _raise_thresholds, priority=0)  # before the environment is unpickled
    app.connect("env-before-read-docs", _freeze, priority=0)
    app.connect("env-updated", _freeze, priority=999)
    app.connect("build-finished", _restore_thresholds, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
