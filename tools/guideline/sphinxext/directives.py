"""Placeholder: project directives are added here."""
from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    return None
