"""Where the Locust plugin file is, without importing it (importing it would import Locust)."""

from pathlib import Path

PLUGIN = Path(__file__).with_name("plugin.py")
