"""For the tests of our scripts: the front-end build (frontend/build.mjs, esbuild)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is part of the set-up (make setup)"
    return found


def build(folder: Path, metafile: Path | None = None) -> Path:
    """Today's sources built into ``folder`` (and esbuild's account of every module's imports into
    ``metafile``), as make builds them into static/build/."""
    command = [node(), "frontend/build.mjs", str(folder), *([str(metafile)] if metafile else [])]
    subprocess.run(command, cwd=ROOT, check=True, timeout=120)
    return folder

