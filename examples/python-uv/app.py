"""Prints what uv installed: the locked runtime dependency, and whether
the default groups (dev, lint) reached the image (they must not)."""
import importlib.util

import six

groups = ("iniconfig", "pluggy")  # the dev group's, the lint group's
dev = "present" if any(importlib.util.find_spec(m) for m in groups) else "absent"
print(f"Hello from python-uv! six={six.__version__} dev-dependencies={dev}")
