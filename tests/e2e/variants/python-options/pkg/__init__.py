"""A package of the app: its __pycache__ must not reach the image."""
