"""The reliability tests import their helpers (hostile.py, calls.py) from this folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
