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
