"""The collector runs with the build's thresholds during a build and with the caller's afterwards."""

from __future__ import annotations

import gc
import io

from sphinx.testing.util import SphinxTestApp

from guideline.sphinxext.gcpolicy import BUILD_THRESHOLDS
from helpers import make_site


def test_build_raises_then_restores_gc_thresholds(tmp_path):
    _, root = make_site(tmp_path / "site", needs=20)
    own = (701, 11, 12)  # a setting no build uses, so a leak or a missing restore shows
    before = gc.get_threshold()
    gc.set_threshold(*own)
    seen = {}
    try:
        app = SphinxTestApp("html", srcdir=root / "docs", builddir=tmp_path / "out", status=io.StringIO(),
                            warning=io.StringIO(), freshenv=True)
        seen["loaded"] = gc.get_threshold()  # after the environment was set up
        # (env-updated handlers return docnames to re-read: these return None)
        app.connect("env-updated", lambda app, env: seen.update(read=gc.get_threshold()))
        app.connect("write-started", lambda app, builder: seen.update(write=gc.get_threshold()))
        try:
            app.build()
        finally:
            app.cleanup()
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert seen == {"loaded": BUILD_THRESHOLDS, "read": BUILD_THRESHOLDS, "write": BUILD_THRESHOLDS}
    assert after == own


def _build(root, out, seen):
    app = SphinxTestApp("html", srcdir=root / "docs", builddir=out, status=io.StringIO(), warning=io.StringIO(),
                        freshenv=False)
    app.connect("write-started", lambda app, builder: seen.update(frozen_while_writing=gc.get_freeze_count()))
    try:
        app.build()
    finally:
        app.cleanup()


def test_the_environment_is_frozen_while_writing_and_unfrozen_after(tmp_path):
    _, root = make_site(tmp_path / "site", needs=20)
    assert gc.get_freeze_count() == 0
    for build in ("full", "incremental"):  # fresh environment, then a loaded one
        seen = {}
        _build(root, tmp_path / "out", seen)
        # Tens of thousands of objects (the read environment) were out of the collector's walks...
        assert seen["frozen_while_writing"] > 10_000, (build, seen)
        # ... and are back once the build is over: a process that goes on can collect them.
        assert gc.get_freeze_count() == 0, build
        assert gc.isenabled()


def test_a_process_that_ends_with_its_build_leaves_the_heap_uncollected(tmp_path, monkeypatch):
    from guideline.sphinxext import gcpolicy

    _, root = make_site(tmp_path / "site", needs=20)
    monkeypatch.setattr(gcpolicy, "_PROCESS_ENDS_WITH_BUILD", [False])
    before = gc.get_threshold()
    gcpolicy.process_ends_with_build()
    try:
        _build(root, tmp_path / "out", {})
        assert not gc.isenabled() and gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        gc.enable()
        gc.set_threshold(*before)
