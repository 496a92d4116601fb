"""Living clinical guideline toolchain: need model, Sphinx extension, checks and editions."""

__version__ = "0.1.0"
