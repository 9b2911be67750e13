"""worker: an application of the uv workspace in py/. It imports the
workspace's library and must not find its dev group."""
import importlib.util

import greet

dev = "present" if importlib.util.find_spec("iniconfig") else "absent"
print(f"{greet.hello('worker')} dev-dependencies={dev}")
