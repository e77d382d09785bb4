"""The ``vision`` command's entry point (命令入口).

``scripts/serve`` installs the API only; the camera pipeline needs the ``vision`` extra (PyAV,
OpenCV, ultralytics and their model runtimes). Without it the command says in one line which
command installs it, instead of a ``ModuleNotFoundError`` traceback.
"""

from __future__ import annotations

import importlib.util
import sys

EXTRA_MODULES = ("av", "cv2", "ultralytics")
INSTALL = "uv sync --extra vision --inexact"


def main() -> None:
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        sys.exit(f"vision: 缺少视频分析依赖（{', '.join(missing)}），请先运行 / the vision extra is missing: {INSTALL}")
    from vision.cli import app

    app()
