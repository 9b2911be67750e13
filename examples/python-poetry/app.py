"""Prints what poetry installed: the main group's dependency, and whether
the dev group reached the image (it must not)."""
import importlib.util

import six

dev = "present" if importlib.util.find_spec("iniconfig") else "absent"
print(f"Hello from python-poetry! six={six.__version__} dev-dependencies={dev}")
