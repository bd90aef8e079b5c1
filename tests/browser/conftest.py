"""Browser journeys: where to keep their screenshots (``VILLAGE_SCREENSHOTS``).

The ``browser`` and ``phone`` fixtures live in the root ``conftest.py``: one Chromium per test
process, shared by every browser test in the project.
"""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = (
    Path(os.environ.get("VILLAGE_SCREENSHOTS", ""))
    if os.environ.get("VILLAGE_SCREENSHOTS")
    else None
)
