"""The citation and evidence validator (issue 4).

One engine (:mod:`.engine`) used two ways: the ``guideline check`` command
(:mod:`.cli`, also ``tools/check_guideline.py``) and the Sphinx build
(:mod:`guideline.sphinxext.integrity`), so ``sphinx-build -W`` fails on the same
error-level findings. One module per concern; rules are declared once in
:mod:`.rules`.
"""
