"""Loaded with ``-p`` before pytest-django reads settings: the suite runs in test mode."""

import os

os.environ["WEIBAO_MODE"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
