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
builds in-process (tests, ``guideline build``) keeps its own setting afterwards.
"""

from __future__ import annotations

import gc
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

BUILD_THRESHOLDS = (50_000, 10, 10)  # young generation every 50,000 allocations instead of 700
BEFORE_ATTR = "_guideline_gc_thresholds_before"


def _raise_thresholds(app: Sphinx, config: Config) -> None:
    if getattr(app, BEFORE_ATTR, None) is None:
        setattr(app, BEFORE_ATTR, gc.get_threshold())
    gc.set_threshold(*BUILD_THRESHOLDS)


def _restore_thresholds(app: Sphinx, exception: Exception | None) -> None:
    before = getattr(app, BEFORE_ATTR, None)
    if before is not None:
        gc.set_threshold(*before)
        setattr(app, BEFORE_ATTR, None)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _raise_thresholds, priority=0)  # before the environment is unpickled
    app.connect("build-finished", _restore_thresholds, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
