"""A library of the uv workspace."""
import six


def hello(name: str) -> str:
    return f"Hello from {name}, built in a uv workspace! six={six.__version__}"
