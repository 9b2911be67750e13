#!/usr/bin/env bash
# Builds one platform's release files into dist/ (the release workflow runs
# it once per target; a maintainer can run it by hand, see docs/releasing.md):
#
#   scripts/release-build.sh TARGET   the wheel (maturin), and the archive
#       shipit-VERSION-TARGET.tar.gz (.zip for Windows) holding
#       shipit-VERSION-TARGET/shipit and the README, with its .sha256,
#       both from the one binary maturin builds
#   scripts/release-build.sh sdist    the source distribution PyPI gets
#
# Needs Rust (rustup adds the target), Python 3.11+ with venv (maturin is
# pip-installed, pinned, into target/release-tools), and for the Linux musl
# targets `musl-gcc` (Debian and Ubuntu: musl-tools). Written for bash 3.2
# too (macOS).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: $0 TARGET (x86_64-unknown-linux-musl, aarch64-apple-darwin, …) | sdist}
out=${DIST:-dist}
version=$(scripts/release-version.sh)

tools=target/release-tools
python=$(command -v python3 || command -v python)
if [ ! -d "$tools" ]; then
  "$python" -m venv "$tools"
fi
bin_dir=$tools/bin
[ -d "$bin_dir" ] || bin_dir=$tools/Scripts # Windows
"$bin_dir/python" -m pip install --quiet --disable-pip-version-check maturin==1.16.0
maturin=$bin_dir/maturin

mkdir -p "$out"
if [ "$target" = sdist ]; then
  "$maturin" sdist --out "$out"
  exit 0
fi

if command -v rustup >/dev/null 2>&1; then
  rustup target add "$target"
fi

exe=""
case $target in
  *-linux-musl)
    command -v musl-gcc >/dev/null 2>&1 || {
      echo "error: $target needs musl-gcc for the C in ring and mimalloc (apt-get install musl-tools)" >&2
      exit 1
    }
    # The C compiler for the target, when it runs on this machine's
    # architecture (release.yml builds each Linux target on its own arch).
    if [ "${target%%-*}" = "$(uname -m)" ]; then
      cc_var=CC_$(echo "$target" | tr - _)
      export "$cc_var=musl-gcc"
    fi
    # A static binary: one wheel serves glibc and musl systems alike.
    compatibility="manylinux2014 musllinux_1_2"
    ;;
  *windows*)
    exe=.exe
    compatibility=pypi
    ;;
  *) compatibility=pypi ;;
esac

# shellcheck disable=SC2086 # two tags are two words
"$maturin" build --release --locked --target "$target" --compatibility $compatibility --out "$out"
binary=target/$target/release/shipit$exe
[ -f "$binary" ] || {
  echo "error: maturin built no $binary" >&2
  exit 1
}
case $target in
  *-linux-musl)
    if command -v readelf >/dev/null 2>&1 && readelf -l "$binary" | grep -q INTERP; then
      echo "error: $binary is not static (it names a dynamic loader)" >&2
      exit 1
    fi
    ;;
esac
# Run it where this machine can.
if "$binary" --version >/dev/null 2>&1; then
  reported=$("$binary" --version)
  [ "$reported" = "shipit $version" ] || {
    echo "error: $binary --version says \`$reported\`, not \`shipit $version\`" >&2
    exit 1
  }
fi

name=shipit-$version-$target
stage=target/release-stage
rm -rf "${stage:?}/$name"
mkdir -p "$stage/$name"
cp "$binary" "$stage/$name/"
cp README.md "$stage/$name/"
case $target in
  *windows*)
    archive=$name.zip
    rm -f "$out/$archive"
    # zipfile stores each directory under its own name: shipit-…/shipit.exe
    "$python" -m zipfile -c "$out/$archive" "$stage/$name"
    ;;
  *)
    archive=$name.tar.gz
    tar -czf "$out/$archive" -C "$stage" "$name"
    ;;
esac
(
  cd "$out"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$archive" >"$archive.sha256"
  else
    shasum -a 256 "$archive" >"$archive.sha256"
  fi
)
echo "built $out/$archive, its .sha256, and the wheel:" >&2
ls -l "$out" >&2
