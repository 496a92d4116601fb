#!/usr/bin/env python3
"""Run ``guideline check`` without installing the package: python tools/check_guideline.py [OPTIONS]."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guideline.check.cli import check  # noqa: E402

if __name__ == "__main__":
    check(prog_name="check_guideline.py")
