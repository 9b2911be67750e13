#!/usr/bin/env bash
# Installs shipit for the GitHub Action (action.yml), as $SHIPIT_ROOT/bin/shipit.
#
#   action-install.sh release  the released archive of the version the ref
#                              names, verified against its .sha256; writes
#                              `installed=true|false` and `cache-key=…` to
#                              $GITHUB_OUTPUT for the steps after it
#   action-install.sh source   builds from the action's checkout:
#                              cargo install --locked --path (the fallback)
#   action-install.sh          release, else source (by hand, and the tests)
#
# A release is used only when the ref is the version tag of the checkout's
# Cargo.toml (`uses: OWNER/shipit@v0.1.0`): a branch or a commit may hold
# changes no release has, so it is built from source. A release whose archive
# is missing is built from source too; one whose checksum is missing or
# wrong is refused: nothing is installed and the step fails.
#
# Environment (everything has a default on a GitHub runner):
#   SHIPIT_ACTION_PATH        the action's checkout ($GITHUB_ACTION_PATH)
#   SHIPIT_ACTION_REF         the ref the workflow names (github.action_ref)
#   SHIPIT_ACTION_REPOSITORY  OWNER/REPO of the action (github.action_repository)
#   SHIPIT_RELEASE_URL        where the release's files are: an http(s):// or
#                             file:// URL, or a local directory; default
#                             $GITHUB_SERVER_URL/OWNER/REPO/releases/download/REF
#   SHIPIT_ROOT               installs into $SHIPIT_ROOT/bin ($RUNNER_TEMP/shipit)
#   SHIPIT_TARGET             the archive's target triple; default from the
#                             runner's (or this machine's) OS and architecture
# Written for bash 3.2 too (macOS runners).
set -euo pipefail

mode=${1:-auto}
case $mode in release | source | auto) ;; *)
  echo "usage: $0 [release|source]" >&2
  exit 2
  ;;
esac

action_path=${SHIPIT_ACTION_PATH:-${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}}
root=${SHIPIT_ROOT:-${RUNNER_TEMP:?set SHIPIT_ROOT or RUNNER_TEMP}/shipit}
output=${GITHUB_OUTPUT:-/dev/null}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { echo "shipit: $*" >&2; }
fail() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error title=shipit install::$*"; fi
  echo "error: $*" >&2
  exit 1
}

# The version in the checkout's Cargo.toml: the first `version` of [package].
crate_version() {
  awk '/^\[/ { in_package = ($0 == "[package]") }
       in_package && /^version *=/ { gsub(/^version *= *"|".*$/, ""); print; exit }' \
    "$action_path/Cargo.toml"
}

# The release archive's target triple for this runner, or nothing.
target_triple() {
  if [ -n "${SHIPIT_TARGET:-}" ]; then
    echo "$SHIPIT_TARGET"
    return
  fi
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case $os/$arch in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) echo x86_64-pc-windows-msvc ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{ print $1 }'
  else
    shasum -a 256 "$1" | awk '{ print $1 }'
  fi
}

# fetch URL-or-path FILE: 0 fetched, 2 not there, 1 any other failure.
fetch() {
  local from=$1 to=$2 status=0
  case $from in
    *://*)
      curl --fail --silent --show-error --location --retry 3 --output "$to" "$from" 2>"$to.err" || status=$?
      case $status in
        0) return 0 ;;
        # 22: an HTTP error; only a 404 means "no such file". 37: file:// has no such file.
        22) grep -q ' 404' "$to.err" && return 2 ;;
        37) return 2 ;;
      esac
      cat "$to.err" >&2
      return 1
      ;;
    *)
      [ -f "$from" ] || return 2
      cp "$from" "$to"
      ;;
  esac
}

# The key of the cache of a source build: the runner and a digest of
# what the build reads, so a cached binary is the one this checkout builds.
cache_key() {
  local digest
  digest=$(
    cd "$action_path"
    find Cargo.toml Cargo.lock build.rs src templates -type f 2>/dev/null | LC_ALL=C sort |
      while IFS= read -r file; do echo "$(sha256_of "$file")  $file"; done |
      { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; } |
      awk '{ print $1 }'
  )
  echo "shipit-source-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$digest"
}

# Installs the release archive of the ref's version; 0 installed, 3 there
# is no release to install (build from source), anything else: refused.
install_release() {
  local version ref repo target base archive status expected actual bin exe=""
  version=$(crate_version)
  [ -n "$version" ] || fail "no [package] version in $action_path/Cargo.toml"
  ref=${SHIPIT_ACTION_REF:-${GITHUB_ACTION_REF:-}}
  if [ "$ref" != "v$version" ]; then
    say "the ref \`${ref:-(none)}\` is not the release tag \`v$version\` of the checkout: building from source"
    return 3
  fi
  target=$(target_triple)
  if [ -z "$target" ]; then
    say "no release archive for this platform ($(uname -s) $(uname -m)): building from source"
    return 3
  fi
  case $target in *windows*) archive=shipit-$version-$target.zip exe=.exe ;; *) archive=shipit-$version-$target.tar.gz ;; esac
  repo=${SHIPIT_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}
  if [ -n "${SHIPIT_RELEASE_URL:-}" ]; then
    base=$SHIPIT_RELEASE_URL
  else
    [ -n "$repo" ] || fail "set SHIPIT_ACTION_REPOSITORY (OWNER/REPO) or SHIPIT_RELEASE_URL"
    base=${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/$ref
  fi
  base=${base%/}

  status=0
  fetch "$base/$archive" "$work/$archive" || status=$?
  case $status in
    0) ;;
    2)
      say "no $archive in the release at $base: building from source"
      return 3
      ;;
    *) fail "cannot download $base/$archive" ;;
  esac
  status=0
  fetch "$base/$archive.sha256" "$work/$archive.sha256" || status=$?
  [ "$status" = 0 ] || fail "$base/$archive has no checksum ($archive.sha256): refusing to install it"
  expected=$(awk 'NR == 1 { print tolower($1) }' "$work/$archive.sha256")
  actual=$(sha256_of "$work/$archive")
  case $expected in
    *[!0-9a-f]* | "") fail "$archive.sha256 holds no sha256 checksum: refusing to install $archive" ;;
  esac
  [ ${#expected} = 64 ] || fail "$archive.sha256 holds no sha256 checksum: refusing to install $archive"
  if [ "$expected" != "$actual" ]; then
    fail "checksum mismatch for $archive: expected $expected, got $actual; refusing to install it"
  fi
  say "verified $archive (sha256 $actual)"

  # (Called as `install_release || …`, so `set -e` is off in here: every
  # step that can fail says so itself.)
  mkdir "$work/unpacked" || fail "cannot unpack $archive"
  case $archive in
    *.zip) (cd "$work/unpacked" && unzip -q "../$archive") ;;
    *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
  esac || fail "cannot unpack $archive"
  bin=$work/unpacked/shipit-$version-$target/shipit$exe
  [ -f "$bin" ] || fail "$archive holds no shipit-$version-$target/shipit$exe"
  chmod +x "$bin" || fail "cannot make $bin executable"
  "$bin" --version >/dev/null 2>&1 || fail "the shipit in $archive does not run on this machine ($target)"
  # Into place in one rename, so a failed install leaves nothing behind.
  if ! { mkdir -p "$root/bin" && cp "$bin" "$root/bin/.shipit$exe.partial" &&
    mv -f "$root/bin/.shipit$exe.partial" "$root/bin/shipit$exe"; }; then
    fail "cannot install shipit into $root/bin"
  fi
  say "installed shipit $version ($target) into $root/bin"
}

build_from_source() {
  command -v cargo >/dev/null 2>&1 ||
    fail "building shipit from source needs cargo (a Rust toolchain) on PATH; or use a release tag, v$(crate_version)"
  say "cargo install --locked --path $action_path"
  cargo install --locked --quiet --path "$action_path" --root "$root"
}

case $mode in
  release)
    status=0
    install_release || status=$?
    case $status in
      0) echo "installed=true" >>"$output" ;;
      3) printf 'installed=false\ncache-key=%s\n' "$(cache_key)" >>"$output" ;;
      *) exit "$status" ;;
    esac
    ;;
  source) build_from_source ;;
  auto)
    status=0
    install_release || status=$?
    case $status in
      0) ;;
      3) build_from_source ;;
      *) exit "$status" ;;
    esac
    ;;
esac
