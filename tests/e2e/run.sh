#!/usr/bin/env bash
# End to end: build every example's Dockerfile with a real builder (buildah,
# daemonless), run the image, assert the program's output, measure the
# image, and check that a source-only change reuses the dependency layer.
#
# No container registry can be reached here, so the base images are
# STAND-INS built from Debian packages (tests/e2e/standins/), named exactly
# as the rendered FROM lines name the official images. They are not the
# official images: Go is 1.19, Python 3.11 and Node 18, and the "alpine"
# Node image is Debian. Sizes below are for these stand-ins.
#
# node-hello (pkg mode) is not built: pkg downloads prebuilt Node binaries
# from the internet at build time. It is covered by the structure tests.
#
# Usage: tests/e2e/run.sh            (as root; installs buildah and
#        debootstrap with apt when missing; writes docs/images.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

B=(buildah --storage-driver vfs)
log() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing buildah and debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi
# Let `FROM golang:1.22` resolve to the local docker.io/library/golang:1.22.
conf=/etc/containers/registries.conf
if ! grep -qs '^unqualified-search-registries' "$conf"; then
  mkdir -p "$(dirname "$conf")"
  echo 'unqualified-search-registries = ["docker.io"]' >> "$conf"
fi

cargo build --release --quiet
shipit="$root/target/release/shipit"

has_image() { "${B[@]}" inspect --type image "$1" >/dev/null 2>&1; }

# --- the Debian base all stand-ins start from --------------------------------
base=localhost/shipit-e2e/debian:bookworm
if ! has_image "$base"; then
  log "making $base with debootstrap"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb
  c=$("${B[@]}" from scratch)
  m=$("${B[@]}" mount "$c")
  cp -a "$rootfs"/. "$m"/
  "${B[@]}" umount "$c" >/dev/null
  "${B[@]}" commit -q "$c" "$base" >/dev/null
  "${B[@]}" rm "$c" >/dev/null
  rm -rf "$rootfs"
fi

# --- stand-ins, named as the FROM lines name the official images -------------
standin_for() { # image reference -> stand-in Dockerfile (or "base")
  case "$1" in
    golang:*) echo golang ;;
    python:*-slim*) echo python-slim ;;
    python:*) echo python-builder ;;
    node:*) echo node ;;
    ubuntu:* | debian:*) echo base ;;
    *) fail "no stand-in for $1" ;;
  esac
}

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp /etc/ssl/certs/ca-certificates.crt "$context/host-ca.crt"

ensure_image() { # image reference as written in FROM
  local name="docker.io/library/$1" kind
  has_image "$name" && return
  kind=$(standin_for "$1")
  log "stand-in $name ($kind)"
  if [ "$kind" = base ]; then
    "${B[@]}" tag "$base" "$name"
  else
    "${B[@]}" build -q --isolation chroot --pull=never -t "$name" \
      -f "tests/e2e/standins/$kind.Dockerfile" "$context" >/dev/null
  fi
}

# --- helpers ------------------------------------------------------------------
declare -A base_sizes
image_bytes() { # image -> bytes of its file system (cached per image)
  local c m
  if [ -z "${base_sizes[$1]:-}" ]; then
    c=$("${B[@]}" from --pull=never "$1")
    m=$("${B[@]}" mount "$c")
    base_sizes[$1]=$(du -sb "$m" | cut -f1)
    "${B[@]}" umount "$c" >/dev/null
    "${B[@]}" rm "$c" >/dev/null
  fi
  echo "${base_sizes[$1]}"
}

final_copies() { # Dockerfile -> the paths the final stage copies in
  awk '/^FROM /{start=NR} {line[NR]=$0} END{for(i=start;i<=NR;i++) print line[i]}' "$1" |
    grep '^COPY --from=build ' | while read -r _ _ rest; do
      # shellcheck disable=SC2086
      set -- $rest
      dest=${!#}
      if [[ $dest == */ ]]; then
        for src in "${@:1:$#-1}"; do echo "$dest$(basename "$src")"; done
      else
        echo "$dest"
      fi
    done
}

image_config() { # image python-expression -> a field of its OCI config
  "${B[@]}" inspect --type image "$1" |
    python3 -c "import json,sys; oci = json.load(sys.stdin)['OCIv1']; print($2)"
}

entrypoint() { # image -> its ENTRYPOINT, one word a line
  image_config "$1" "'\\n'.join(oci['config'].get('Entrypoint') or [])"
}

# One working container per example image (vfs copies every layer on
# `buildah from`): measured first, then the program runs in it.
container=""
run_in() { # command... -> output (as the image's user, in its workdir)
  "${B[@]}" run --isolation chroot "$container" -- "$@" 2>&1
}

expect() { # label expected actual
  [[ $3 == *"$2"* ]] || fail "$1: expected output containing '$2', got: $3"
  echo "ok: $1" >&2
}

build() { # dir image -> buildah's output
  "${B[@]}" build --isolation chroot --pull=never --layers -t "$2" -f "$1/Dockerfile" "$1" 2>&1
}

mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1000000 }'; }

# --- build, run, measure every example ----------------------------------------
examples=(go-hello org-templates c-hello c-make python-flask python-pipenv node-runtime)
declare -A seed=(
  [go-hello]="13.4 MB (seed 002, href-counter on alpine); 15.3 MB (seed 003, gin on scratch)"
  [org-templates]="—"
  [c-hello]="63.3 MB (seed 000: the ubuntu:18.04 base plus the binary)"
  [c-make]="274 MB (seed 004: a conda prefix on debian:jessie-slim)"
  [python-flask]="84.5 MB (seed 003, on python:3.6-alpine)"
  [python-pipenv]="915 MB (seed 001, on python:3)"
  [node-runtime]="~50 MB (seed 002, pkg on alpine)"
)
rows=()
for name in "${examples[@]}"; do
  dir="examples/$name"
  log "$name"
  "$shipit" check -m "$dir/shipit.toml" >/dev/null || fail "$dir/Dockerfile is not what shipit renders"
  mapfile -t froms < <(awk '/^FROM /{for(i=2;i<=NF;i++) if ($i !~ /^--/) {print $i; break}}' "$dir/Dockerfile")
  for image in "${froms[@]}"; do
    [ "$image" = scratch ] || ensure_image "$image"
  done
  image="localhost/shipit-e2e/$name"
  build "$dir" "$image" > "$context/build.log" || { cat "$context/build.log"; fail "$name does not build"; }

  # Measure the untouched image first.
  container=$("${B[@]}" from --pull=never "$image")
  mount=$("${B[@]}" mount "$container")
  image_total=$(du -sb "$mount" | cut -f1)
  artifacts=0
  while read -r path; do
    artifacts=$((artifacts + $(du -sb "$mount$path" | cut -f1)))
  done < <(final_copies "$dir/Dockerfile")
  "${B[@]}" umount "$container" >/dev/null
  final_base=${froms[-1]}
  base_bytes=0
  [ "$final_base" = scratch ] || base_bytes=$(image_bytes "docker.io/library/$final_base")
  layers=$(image_config "$image" "len(oci['rootfs']['diff_ids'])")
  overhead=$(awk -v i="$image_total" -v b="$base_bytes" -v a="$artifacts" \
    'BEGIN { printf "%.1f%%", (i - b - a) * 100 / a }')

  mapfile -t ep < <(entrypoint "$image")
  case "$name" in
    go-hello | org-templates)
      expect "$name runs" "Hello from $name!" "$(run_in "${ep[@]}" --once)" ;;
    c-hello)
      expect "$name runs" "Hello from the container!" "$(run_in "${ep[@]}")" ;;
    c-make)
      expect "$name runs" "1" "$(run_in "${ep[@]}" /opt/linecount/share/doc/linecount/README)" ;;
    python-flask)
      # gunicorn serves a real request; the client is the image's own Python.
      out=$(run_in sh -c 'gunicorn --bind 127.0.0.1:8765 app:app & pid=$!
        for i in $(seq 50); do
          python -c "import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:8765/\").read().decode())" 2>/dev/null && break
          sleep 0.2
        done; kill $pid')
      expect "$name answers through gunicorn" "Hello from python-flask!" "$out" ;;
    python-pipenv)
      expect "$name runs" "multi-stage builds keep build tools out of the image" "$(run_in python app.py)"
      expect "$name has no pipenv" "absent" "$(run_in sh -c 'command -v pipenv || ls /opt/pipenv 2>/dev/null || echo absent')" ;;
    node-runtime)
      expect "$name runs" "Hello from node-runtime!" "$(run_in "${ep[@]}" --once)" ;;
  esac
  # The final stage holds no compiler.
  if [[ $final_base != scratch ]]; then
    expect "$name has no compiler" "none" "$(run_in sh -c 'command -v gcc cc go || echo none')"
  fi
  "${B[@]}" rm "$container" >/dev/null

  rows+=("| $name | \`$final_base\` | $(mb "$image_total") | $(mb "$base_bytes") | $(mb $((image_total - base_bytes))) | $(mb "$artifacts") | $overhead | $layers | ${seed[$name]} |")
done

# --- a source-only change reuses the dependency layer ---------------------------
cached_after() { # build log, step pattern -> "cached" or "rebuilt"
  awk -v pat="$2" '
    / STEP [0-9]+\/[0-9]+: / { step = index($0, pat) > 0; next }
    step && /Using cache/ { print "cached"; exit }
    step && /^-->/ { print "rebuilt"; exit }' "$1"
}
for pair in "go-hello|go mod download" "python-flask|pip install -r requirements.txt"; do
  name=${pair%%|*} step=${pair#*|}
  log "rebuild $name after a source-only change"
  copy="$context/$name"
  cp -r "examples/$name" "$copy"
  case "$name" in
    # Unique each run, so no earlier run's layers match it.
    go-hello) echo "// a source-only change $(date +%s%N)" >> "$copy/main.go" ;;
    python-flask) echo "# a source-only change $(date +%s%N)" >> "$copy/app.py" ;;
  esac
  build "$copy" "localhost/shipit-e2e/$name-rebuild" > "$context/rebuild.log" ||
    { cat "$context/rebuild.log"; fail "$name rebuild"; }
  [ "$(cached_after "$context/rebuild.log" "$step")" = cached ] ||
    { cat "$context/rebuild.log"; fail "$name: '$step' did not reuse its layer"; }
  [ "$(cached_after "$context/rebuild.log" "COPY . .")" = rebuilt ] ||
    { cat "$context/rebuild.log"; fail "$name: the source change was not seen"; }
  echo "ok: $name reuses '$step' after a source-only change" >&2
done

# --- the table ---------------------------------------------------------------
{
  echo "# Image sizes"
  echo
  echo "Written by \`tests/e2e/run.sh\` from its last run: every example built"
  echo "with buildah, run, and measured. The bases are **stand-ins built from"
  echo "Debian bookworm packages** (no registry can be reached where this runs),"
  echo "so base sizes are not those of the official images; the difference"
  echo "(image − base) and the artifacts are what shipit's templates decide."
  echo
  echo "*overhead* = (image − base − artifacts) / artifacts: what the final stage"
  echo "adds beyond its base and the files it copies from the builder (runtime"
  echo "packages, metadata). *artifacts* counts everything the final stage copies"
  echo "from the builder, CA certificates and passwd entries included."
  echo
  echo "| example | final base | image | base | image − base | artifacts | overhead | layers | the seed's figure |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "node-hello (\`node.mode = \"pkg\"\`) is not built here: pkg downloads"
  echo "prebuilt Node binaries at build time, which this machine cannot reach."
} > docs/images.md
cat docs/images.md
echo "e2e: ${#examples[@]} examples built, run and measured; 2 rebuilds reused their dependency layer" >&2
