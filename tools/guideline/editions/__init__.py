"""Versioned editions: registry, build from a commit, PDFs, manifest, verify, diff, site.

One module per concern; :mod:`.cli` holds the ``guideline edition`` commands and
``guideline site``.
"""
