"""Sphinx configuration of the guideline.

The need model (types, fields, links, schema rules) is not configured here: the
``guideline.sphinxext`` extension declares it from ``guideline.model`` and the
grading scheme in ``guideline.toml``, so it exists in one place.
"""

import os

from guideline import __version__

project = "Bispecific antibodies in multiple myeloma: a living guideline"
author = "Demonstration panel (not an official IMWG publication)"
copyright = "2024-2026, the guideline's contributors"
release = os.environ.get("GUIDELINE_EDITION", "unreleased")
version = release
language = "en"
root_doc = "index"

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "guideline.sphinxext",
]

myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline", "attrs_block", "fieldlist"]
myst_heading_anchors = 3

bibtex_bibfiles = ["../references.bib"]
# Numbered, Lancet-like references (tools/guideline/bibstyle.py); gaps print as "[... not stated]".
bibtex_default_style = "lancet"
bibtex_reference_style = "label"
bibtex_encoding = "utf-8"
# Stable anchors, so the traceability view can link a reference by its key.
bibtex_cite_id = "cite-{key}"

needs_build_json = True
needs_id_length = 3
# needs.json carries the toolchain version, so an edition records what built it.
needs_json_remove_defaults = False

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
nitpicky = True

html_theme = "furo"
html_title = "Bispecific antibodies in myeloma: living guideline"
html_static_path = ["_static"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "announcement": (
        "Demonstration living guideline modelled on the IMWG consensus format: "
        "not an official IMWG publication and not medical advice."
    ),
}
