# Shared configuration of the small fixture projects (copied into each test root).
extensions = ["myst_parser", "sphinxcontrib.bibtex", "guideline.sphinxext"]
myst_enable_extensions = ["colon_fence"]
needs_build_json = True
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "lancet"
bibtex_cite_id = "cite-{key}"
html_theme = "basic"
guideline_root = "."  # seeds/ lives beside conf.py in fixtures
guideline_references_doc = "refs"
