# Stand-in for ghcr.io/astral-sh/uv:<version>: a scratch image with /uv and
# /uvx, which tests/e2e/run.sh takes from PyPI's uv wheel of that version
# (the same binaries). Not the official image.
FROM scratch
COPY uv uvx /
