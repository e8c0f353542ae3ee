"""The TimelineJS property test (tests/test_timelinejs_property.py) with 1,000 generated documents instead
of the suite's 20: nothing a visitor could read is lost without a line in the report. Prints how many
documents were tried and how long it took; exits non-zero with Hypothesis's smallest failing document."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    started = time.monotonic()
    environment = os.environ | {"HYPOTHESIS_PROFILE": "deep"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/test_timelinejs_property.py",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    command += ["--hypothesis-show-statistics"]
    result = subprocess.run(command, cwd=ROOT, env=environment, check=False)
    print(
        f"1,000 generated TimelineJS documents in {time.monotonic() - started:.0f} s: "
        + ("nothing lost without a line in the report" if result.returncode == 0 else "FAILED (see above)")
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
