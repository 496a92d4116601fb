"""The needs as plain dicts: converted once per write phase, the same as ``dict(need)``."""

from __future__ import annotations

import io

from sphinx.testing.util import SphinxTestApp

from helpers import make_site


def test_need_dicts_are_dict_of_each_need_and_shared_by_validator_and_views(tmp_path):
    from sphinx_needs.data import SphinxNeedsData

    from guideline.presentation import state

    _, root = make_site(tmp_path / "site", needs=40)
    seen = {}

    def at_end(app, exception):
        slow = {k: dict(v) for k, v in SphinxNeedsData(app.env).get_needs_view().items()}
        seen["equal"] = state.need_dicts(app) == slow and len(slow) == 40
        seen["shared"] = state.catalogue(app).needs is state.need_dicts(app)

    app = SphinxTestApp("html", srcdir=root / "docs", builddir=tmp_path / "out", status=io.StringIO(),
                        warning=io.StringIO(), freshenv=True)
    app.connect("build-finished", at_end)
    try:
        app.build()
    finally:
        app.cleanup()
    assert seen == {"equal": True, "shared": True}
