"""Adding a field touches the field table, the models' columns with their migration, and the templates
that show it to visitors; the admin form, saving, history, conflicts, our JSON and translations follow by
themselves. tests/admin/throwaway_field.py adds one and shows it, in a Python of its own (a field added to
the models stays for the life of the process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_a_throwaway_field_reaches_every_layer():
    checked = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/admin/throwaway_field.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-2000:]
    assert "4 passed" in checked.stdout
