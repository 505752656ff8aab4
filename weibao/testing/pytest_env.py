"""Loaded with ``-p`` before pytest-django reads settings: the suite runs in test mode."""

import os

os.environ["WEIBAO_MODE"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")

# Parallel runs (pytest-xdist): each worker process keeps its uploads apart.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and "WEIBAO_MEDIA_ROOT" not in os.environ:
    from pathlib import Path

    os.environ["WEIBAO_MEDIA_ROOT"] = str(
        Path(os.environ.get("WEIBAO_VAR_DIR", Path(__file__).resolve().parents[2] / "var")) / f"test-media-{_worker}"
    )
