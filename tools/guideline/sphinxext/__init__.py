"""Sphinx extension: the guideline's need model, views and integrity hooks.

``setup()`` is the one place that wires the model into sphinx-needs and
registers the project's directives, so a project only lists
``"guideline.sphinxext"`` in its extensions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from .. import __version__
from ..grading import load_settings
from .needs_config import apply_need_model


def _on_config_inited(app: Sphinx, config: Config) -> None:
    apply_need_model(config, load_settings(Path(app.confdir)))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_needs")
    from . import gcpolicy

    gcpolicy.setup(app)  # first: the collector is tuned before the environment loads
    # Before sphinx-needs reads its own configuration (its handlers run at >= 10).
    app.connect("config-inited", _on_config_inited, priority=5)
    from . import bibcache

    bibcache.setup(app)
    from . import needs_speedups

    needs_speedups.setup(app)
    from . import layout, views

    views.setup(app)
    layout.setup(app)
    from . import navigation

    navigation.setup(app)
    from . import edition

    edition.setup(app)
    from . import integrity

    integrity.setup(app)
    from . import safety

    safety.setup(app)
    from . import surveillance

    surveillance.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
