#!/usr/bin/env bash
# Prints shipit's version: the crate's, in Cargo.toml, the only place it is
# written. The wheel takes it from there (pyproject.toml's `dynamic =
# ["version"]`), and the release tag and the image tag must equal it.
#
#   scripts/release-version.sh          prints it (0.1.0)
#   scripts/release-version.sh v0.1.0   fails unless the tag is `v` + it
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(command -v python3 || command -v python)
version=$("$python" - <<'PY'
import sys, tomllib
with open("Cargo.toml", "rb") as f:
    version = tomllib.load(f)["package"]["version"]
with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)["project"]
if "version" in project or "version" not in project.get("dynamic", []):
    sys.exit("error: pyproject.toml must not write a version: `dynamic = [\"version\"]` reads Cargo.toml's")
print(version)
PY
)

if [ $# -gt 0 ]; then
  tag=${1#refs/tags/}
  if [ "$tag" != "v$version" ]; then
    echo "error: the tag \`$tag\` is not the crate's version: Cargo.toml says $version, so the tag is v$version" >&2
    exit 1
  fi
fi
echo "$version"
