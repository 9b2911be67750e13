#!/usr/bin/env bash
# End to end: build every example's Dockerfile and every option variant
# (tests/e2e/variants/) with a real builder (buildah, daemonless), run the
# image, assert inside it what the options promise, measure the examples,
# and check that a source-only change reuses the dependency layer.
#
# No container registry can be reached here, so the base images are
# STAND-INS built from Debian packages (tests/e2e/standins/), named exactly
# as the rendered FROM lines name the official images. They are not the
# official images: Go is 1.19, Python 3.11 and Node 18, and the "alpine"
# Node image is Debian (with an `apk` that installs Debian packages).
#
# node-hello (pkg mode) is not built: pkg downloads prebuilt Node binaries
# from the internet at build time. It is covered by the structure tests.
#
# Usage: tests/e2e/run.sh [PART]     (as root; installs buildah and
#        debootstrap with apt when missing; writes docs/images.md)
# PART runs one part only, while working on it: builds (the examples
# and variants, PID 1, rebuilds), shipit, corpus, monorepo or pinned.
# SHIPIT_E2E_NAMES="go-options fastapi-uv" builds only the examples,
# variants, corpus projects and bake targets it names (CI leaves it unset).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
only=${1:-all}
case "$only" in
  all | builds | shipit | corpus | monorepo | pinned) ;;
  *) echo "usage: tests/e2e/run.sh [builds|shipit|corpus|monorepo|pinned]" >&2; exit 2 ;;
esac
want() { [ "$only" = all ] || [ "$only" = "$1" ]; }
names=${SHIPIT_E2E_NAMES:-}
named() { [ -z "$names" ] || [[ " $names " == *" $1 "* ]]; }
# A part run leaves alone the containers and untagged images of others
# using the same storage (it removes only the images it built).

B=(buildah --storage-driver vfs)
log() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
started=$SECONDS
stage_start=$SECONDS
free_gb() { df -P --block-size=1G /var/lib/containers 2>/dev/null | awk 'NR == 2 { print $4 }'; }
stage() { # name: prints the time the previous stage took, and the disk left
  printf '\n-- e2e stage done in %ds (total %ds, %s GB free): %s\n' $((SECONDS - stage_start)) $((SECONDS - started)) "$(free_gb)" "$1" >&2
  stage_start=$SECONDS
}

# --- tools -----------------------------------------------------------------
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null || ! command -v ssh-agent >/dev/null; then
  log "installing buildah, debootstrap and an SSH agent"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap openssh-client >/dev/null
fi
# Let `FROM golang:1.22` resolve to the local docker.io/library/golang:1.22.
conf=/etc/containers/registries.conf
if ! grep -qs '^unqualified-search-registries' "$conf"; then
  mkdir -p "$(dirname "$conf")"
  echo 'unqualified-search-registries = ["docker.io"]' >> "$conf"
fi

# The debug build the test stages already compiled: a release build from
# scratch would take minutes of the CI budget, and rendering is no slower
# in any way that matters here.
cargo build --quiet
shipit="$root/target/debug/shipit"
stage "tools and shipit"

has_image() { "${B[@]}" inspect --type image "$1" >/dev/null 2>&1; }

# vfs storage copies every layer whole: a builder's cached steps are each a
# full copy of its file system, gigabytes for one Rust build. Each image is
# removed as soon as it has been checked, the layers builds share are
# dropped when the disk runs short (drop below), and what an interrupted
# run left behind (working containers, images, cached layers) goes now.
# The stand-ins and their Debian base are kept: they are rebuilt only
# when their Dockerfiles change.
drop_leftovers() {
  "${B[@]}" rm --all >/dev/null 2>&1 || true
  "${B[@]}" images --format '{{.Name}}:{{.Tag}}' |
    grep '^localhost/shipit-e2e/' | grep -v -e '/standin-' -e '/debian:' |
    xargs -r "${B[@]}" rmi -f >/dev/null 2>&1 || true
  "${B[@]}" rmi --prune >/dev/null 2>&1 || true
}
want all && drop_leftovers
# The cached layers of the builds that share them (see `cached`) are kept
# while at least this much disk is free, and dropped below it.
keep_cache_gb=${SHIPIT_E2E_KEEP_CACHE_GB:-30}
done_with() { # image... : removes them (and the layers only they use)
  "${B[@]}" rmi -f "$@" >/dev/null 2>&1 || true
  if [ "$(free_gb)" -lt "$keep_cache_gb" ]; then
    echo "($(free_gb) GB free: dropping the cached layers of earlier builds)" >&2
    "${B[@]}" rmi --prune >/dev/null 2>&1 || true
  fi
}

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
stage "debian base"

# --- stand-ins, named as the FROM lines name the official images -------------
standin_for() { # image reference -> stand-in Dockerfile (or "base")
  case "$1" in
    ghcr.io/astral-sh/uv:*) echo uv ;;
    golang:*) echo golang ;;
    python:*-slim*) echo python-slim ;;
    python:*) echo python-builder ;;
    node:*-trixie | node:*-bookworm) echo node-debian ;;
    node:*) echo node ;;
    rust:*) echo rust ;;
    ubuntu:* | debian:*) echo base ;;
    *) fail "no stand-in for $1" ;;
  esac
}

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp /etc/ssl/certs/ca-certificates.crt "$context/host-ca.crt"
cp tests/e2e/standins/apk "$context/apk"

# Each stand-in is built once per content of its Dockerfile (and the files
# it copies): a changed stand-in is rebuilt, an unchanged one reused.
ensure_image() { # image reference as written in FROM or COPY --from
  local name="docker.io/library/$1" kind hash marker
  [[ $1 == ghcr.io/* ]] && name=$1
  kind=$(standin_for "$1")
  if [ "$kind" = base ]; then
    has_image "$name" || "${B[@]}" tag "$base" "$name"
    return
  fi
  # The uv stand-in holds that version's binaries; the others are the same
  # for every tag they stand in for.
  hash=$( (cat "tests/e2e/standins/$kind.Dockerfile" tests/e2e/standins/apk; if [ "$kind" = uv ]; then echo "$1"; fi
    if [ "$kind" = node-debian ]; then node --version; fi) | sha256sum | cut -c1-12)
  marker="localhost/shipit-e2e/standin-$kind:$hash"
  if ! has_image "$marker"; then
    log "stand-in $kind ($hash)"
    if [ "$kind" = uv ]; then
      # ghcr.io/astral-sh/uv:<v> is a scratch image holding /uv and /uvx:
      # exactly the binaries of PyPI's uv wheel of that version.
      rm -rf "$context/uv-wheel"
      python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$context/uv-wheel" "uv==${1##*:}"
      python3 -m zipfile -e "$context"/uv-wheel/*.whl "$context/uv-wheel/x"
      cp "$context"/uv-wheel/x/*.data/scripts/uv "$context"/uv-wheel/x/*.data/scripts/uvx "$context/"
      chmod +x "$context/uv" "$context/uvx"
    fi
    if [ "$kind" = node-debian ]; then
      # The official Node build this machine runs (NodeSource's, of the
      # official release), with its npm.
      rm -rf "$context/node-official"
      mkdir -p "$context/node-official"
      cp "$(readlink -f "$(command -v node)")" "$context/node-official/node"
      cp -r "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$context/node-official/npm"
    fi
    "${B[@]}" build -q --isolation chroot --pull=never --layers=false -t "$marker" \
      -f "tests/e2e/standins/$kind.Dockerfile" "$context" >/dev/null
    # The stand-in this one replaces.
    "${B[@]}" images --format '{{.Name}}:{{.Tag}}' | grep "^localhost/shipit-e2e/standin-$kind:" |
      grep -v ":$hash\$" | xargs -r "${B[@]}" rmi -f >/dev/null 2>&1 || true
  fi
  "${B[@]}" tag "$marker" "$name"
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
      [[ $1 == --* ]] && shift
      dest=${!#}
      # `DIR/ /`: the contents of a directory (scratch's passwd, group and
      # /tmp) spread over the root; a few bytes, not measured.
      [[ $1 == */ ]] && continue
      if [[ $dest == */ ]]; then
        for src in "${@:1:$#-1}"; do echo "$dest$(basename "$src")"; done
      else
        echo "$dest"
      fi
    done
}

from_images() { # Dockerfile -> the images its FROM lines name, not its own earlier stages
  awk '/^FROM /{
    image = ""
    for (i = 2; i <= NF; i++) if ($i !~ /^--/) { image = $i; break }
    if (!(image in stage)) print image
    for (i = 2; i < NF; i++) if (toupper($i) == "AS") stage[$(i + 1)] = 1
  }' "$1"
}

image_config() { # image python-expression -> a field of its OCI config
  "${B[@]}" inspect --type image "$1" |
    python3 -c "import json,sys; oci = json.load(sys.stdin)['OCIv1']; print($2)"
}

entrypoint() { # image -> its ENTRYPOINT, one word a line
  image_config "$1" "'\\n'.join(oci['config'].get('Entrypoint') or [])"
}

# One working container per image (vfs copies every layer on `buildah
# from`): measured first, then the program runs in it.
container=""
run_in() { # command... -> output (as the image's user, in its workdir)
  local out status attempt
  for attempt in 1 2 3; do
    status=0
    out=$("${B[@]}" run --isolation chroot "$container" -- "$@" 2>&1) || status=$?
    # The runtime failing to start the container (runc sealing its memfd
    # copy: "Device or resource busy", seen here under load) is no answer
    # of the image: try again.
    [[ $out == *"sealing memfd"* ]] || break
    echo "the runtime did not start (attempt $attempt): $out" >&2
    sleep 2
  done
  printf '%s\n' "$out"
  return "$status"
}

expect() { # label expected actual
  [[ $3 == *"$2"* ]] || fail "$1: expected output containing '$2', got: $3"
  echo "ok: $1" >&2
}

# The SSH agent the variants with `build.ssh` are built with.
eval "$(ssh-agent -s)" >/dev/null
trap 'rm -rf "$context"; kill "$SSH_AGENT_PID" 2>/dev/null || true' EXIT
# The secret the variants that declare one are built with.
printf 'machine git.example.com login ci password s3cr3t-%s\n' "$RANDOM$RANDOM" > "$context/netrc"

# vfs storage has no copy-on-write: every cached layer is a full copy of
# the stage's file system, hundreds of MB for a builder. Only the builds
# whose layer reuse is checked below keep their layers.
# Builds that share their first steps keep them too, so those run once:
# shipit's own image and the corpus's Rust project (rust and cargo-chef),
# the C builds (apt's build-essential).
cached=" go-hello python-flask python-uv node-pnpm rust-hello shipit corpus-rust-make c-hello c-make corpus-c-server "
build() { # dir image [buildah flags] -> buildah's output
  local dir=$1 image=$2 layers=false
  shift 2
  [[ $cached == *" ${image##*/} "* ]] && layers=true
  [[ $image == *-rebuild ]] && layers=true
  "${B[@]}" build --isolation chroot --pull=never --layers=$layers "$@" -t "$image" -f "$dir/Dockerfile" "$dir" 2>&1
}

mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1000000 }'; }

# PID 1 and `docker stop`, without Docker: the image's process runs as PID 1
# of a new PID namespace (as in a container), gets SIGTERM from outside
# after 3 s, as `docker stop` sends it, and must be gone within 5 s. The
# kernel drops a signal to a namespace's init that has no handler for it:
# a bare node or python ignores it; tini forwards it to the program.
pid1_after_sigterm() { # image [extra args] -> "stopped" or "still running"
  local image=$1 c m user workdir pid child result="still running"
  shift
  c=$("${B[@]}" from --pull=never "$image")
  m=$("${B[@]}" mount "$c")
  local -a argv envs
  mapfile -t argv < <(image_config "$image" "'\\n'.join((oci['config'].get('Entrypoint') or []) + (oci['config'].get('Cmd') or []))")
  mapfile -t envs < <(image_config "$image" "'\\n'.join(oci['config'].get('Env') or [])")
  user=$(image_config "$image" "oci['config'].get('User') or '0:0'")
  workdir=$(image_config "$image" "oci['config'].get('WorkingDir') or '/'")
  mount --bind /dev "$m/dev"
  unshare --fork --pid --mount --mount-proc="$m/proc" \
    chroot --userspec="$user" "$m" /usr/bin/env -i "${envs[@]}" \
    /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "${argv[@]}" "$@" > "$context/pid1.log" 2>&1 &
  pid=$!
  sleep 3
  child=$(pgrep -P "$pid" | head -1)
  [ -n "$child" ] || { cat "$context/pid1.log" >&2; fail "$image: its process did not start as PID 1"; }
  kill -TERM "$child"
  for _ in $(seq 50); do
    if ! kill -0 "$pid" 2>/dev/null; then result=stopped; break; fi
    sleep 0.1
  done
  [ "$result" = stopped ] || kill -KILL "$child" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  umount "$m/dev"
  "${B[@]}" umount "$c" >/dev/null
  "${B[@]}" rm "$c" >/dev/null
  echo "$result"
}

# Zone names of the IANA database, legacy links included (tzdata.zi: `Z
# name` zones, `L target name` links).
zone_names() {
  awk '$1 == "Z" { print $2 } $1 == "L" { print $3 }' /usr/share/zoneinfo/tzdata.zi
}

# --- what gets built ------------------------------------------------------------
examples=(go-hello org-templates c-hello c-make python-flask python-pipenv python-uv python-poetry node-runtime node-pnpm node-yarn node-sea rust-hello)
variants=(go-options go-cgo c-static python-options python-pyproject python-pipenv-local node-options node-yarn-steps node-yarn-berry)
declare -A seed=(
  [go-hello]="13.4 MB (seed 002, href-counter on alpine); 15.3 MB (seed 003, gin on scratch)"
  [org-templates]="—"
  [c-hello]="63.3 MB (seed 000: the ubuntu:18.04 base plus the binary)"
  [c-make]="274 MB (seed 004: a conda prefix on debian:jessie-slim)"
  [python-flask]="84.5 MB (seed 003, on python:3.6-alpine)"
  [python-pipenv]="915 MB (seed 001, on python:3)"
  [node-runtime]="~50 MB (seed 002, pkg on alpine)"
  [python-uv]="—"
  [python-poetry]="—"
  [node-pnpm]="—"
  [node-yarn]="—"
  [rust-hello]="—"
  [node-sea]="~50 MB (seed 002, pkg on alpine)"
)

# A variant is rendered into a copy of its directory, with files its
# .dockerignore must keep out of the image (secrets and litter at depth).
prepare_variant() { # name -> the directory to build
  local dir="$context/variants/$1"
  mkdir -p "$context/variants"
  cp -r "tests/e2e/variants/$1" "$dir"
  case "$1" in
    python-options)
      mkdir -p "$dir/pkg/__pycache__" "$dir/pkg/deep"
      echo "SECRET=1" > "$dir/.env"
      echo "SECRET=1" > "$dir/pkg/.env"
      echo "SECRET=1" > "$dir/pkg/deep/.env.local"
      mkdir -p "$dir/secrets" && echo "key" > "$dir/secrets/key.pem"
      echo "stale" > "$dir/pkg/__pycache__/x.cpython-311.pyc"
      # A local frontend build and its dependencies: the asset stage makes
      # its own, neither reaches the context.
      mkdir -p "$dir/frontend/dist" "$dir/frontend/node_modules/x"
      echo "stale" > "$dir/frontend/dist/index.html"
      echo "module.exports = 1" > "$dir/frontend/node_modules/x/index.js" ;;
    node-options)
      mkdir -p "$dir/packages/a/node_modules/x"
      echo "SECRET=1" > "$dir/.env"
      echo "SECRET=1" > "$dir/packages/a/.env"
      # A nested package's registry credentials: they must not ship.
      echo "//registry.example/:_authToken=SECRET" > "$dir/packages/a/.npmrc"
      echo "module.exports = 1" > "$dir/packages/a/node_modules/x/index.js" ;;
  esac
  "$shipit" render -m "$dir/shipit.toml" -o "$dir/Dockerfile" 2>/dev/null
  echo "$dir"
}

# --- a source-only change reuses the dependency layer ---------------------------
# Checked right after the example's own build, while its layers are there.
cached_after() { # build log, step pattern -> "cached" or "rebuilt"
  awk -v pat="$2" '
    / STEP [0-9]+\/[0-9]+: / { step = index($0, pat) > 0; next }
    step && /Using cache/ { print "cached"; exit }
    step && /^-->/ { print "rebuilt"; exit }' "$1"
}
declare -A reuse=(
  [go-hello]="go mod download"
  [python-flask]="pip install -r requirements.txt"
  [python-uv]="uv sync --locked --no-default-groups --no-install-project"
  [node-pnpm]="pnpm install --frozen-lockfile --prod"
  [rust-hello]="cargo chef cook"
)
rebuild_reuses() { # name step
  local name=$1 step=$2 copy="$context/$1"
  log "rebuild $name after a source-only change"
  cp -r "examples/$name" "$copy"
  case "$name" in
    # Unique each run, so no earlier run's layers match it.
    go-hello) echo "// a source-only change $(date +%s%N)" >> "$copy/main.go" ;;
    python-flask | python-uv) echo "# a source-only change $(date +%s%N)" >> "$copy/app.py" ;;
    node-pnpm) echo "// a source-only change $(date +%s%N)" >> "$copy/index.js" ;;
    rust-hello) echo "// a source-only change $(date +%s%N)" >> "$copy/crates/hello/src/main.rs" ;;
  esac
  build "$copy" "localhost/shipit-e2e/$name-rebuild" > "$context/rebuild.log" ||
    { cat "$context/rebuild.log"; fail "$name rebuild"; }
  [ "$(cached_after "$context/rebuild.log" "$step")" = cached ] ||
    { cat "$context/rebuild.log"; fail "$name: '$step' did not reuse its layer"; }
  [ "$(cached_after "$context/rebuild.log" "COPY . .")" = rebuilt ] ||
    { cat "$context/rebuild.log"; fail "$name: the source change was not seen"; }
  echo "ok: $name reuses '$step' after a source-only change" >&2
}

if want builds; then
rows=()
for name in "${examples[@]}" "${variants[@]}"; do
  named "$name" || continue
  log "$name"
  if [[ " ${examples[*]} " == *" $name "* ]]; then
    dir="examples/$name"
    "$shipit" check -m "$dir/shipit.toml" >/dev/null || fail "$dir/Dockerfile is not what shipit renders"
  else
    dir=$(prepare_variant "$name")
  fi
  mapfile -t froms < <(from_images "$dir/Dockerfile")
  for image in "${froms[@]}" $(sed -n 's/^COPY --from=\([^ ]*[:@][^ ]*\) .*/\1/p' "$dir/Dockerfile"); do
    [ "$image" = scratch ] || ensure_image "$image"
  done
  image="localhost/shipit-e2e/$name"
  flags=()
  grep -q 'type=secret,id=netrc' "$dir/Dockerfile" && flags+=(--secret "id=netrc,src=$context/netrc")
  grep -q 'type=ssh' "$dir/Dockerfile" && flags+=(--ssh default)
  build "$dir" "$image" "${flags[@]}" > "$context/build.log" || { cat "$context/build.log"; fail "$name does not build"; }

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
      expect "$name runs" "Hello from the container!" "$(run_in "${ep[@]}")"
      expect "$name has a CA bundle" "bundle" "$(run_in sh -c 'test -s /etc/ssl/certs/ca-certificates.crt && echo bundle')"
      expect "$name's user resolves" "nonroot /home/nonroot" "$(run_in sh -c 'echo "$(id -un) $HOME"')" ;;
    c-make)
      expect "$name runs" "1" "$(run_in "${ep[@]}" /opt/linecount/share/doc/linecount/README)" ;;
    python-flask)
      # gunicorn serves a real request; the client is the image's own Python.
      out=$(run_in sh -c 'gunicorn --bind 127.0.0.1:8765 app:app & pid=$!
        for i in $(seq 50); do
          python -c "import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:8765/\").read().decode())" 2>/dev/null && break
          sleep 0.2
        done; kill $pid')
      expect "$name answers through gunicorn" "Hello from python-flask!" "$out"
      expect "$name's user resolves" "nonroot" "$(run_in python -c 'import getpass; print(getpass.getuser())')" ;;
    python-pipenv)
      expect "$name runs" "multi-stage builds keep build tools out of the image" "$(run_in python app.py)"
      expect "$name has no pipenv" "absent" "$(run_in sh -c 'command -v pipenv || ls /opt/pipenv 2>/dev/null || echo absent')" ;;
    node-runtime)
      expect "$name runs" "Hello from node-runtime!" "$(run_in node index.js --once)" ;;
    python-uv)
      expect "$name: uv's locked dependencies, no dev group" "Hello from python-uv! six=1.16.0 dev-dependencies=absent" "$(run_in "${ep[@]:2}")"
      expect "$name has no uv" "absent" "$(run_in sh -c 'command -v uv || echo absent')" ;;
    python-poetry)
      expect "$name: poetry's main group, no dev group" "Hello from python-poetry! six=1.16.0 dev-dependencies=absent" "$(run_in "${ep[@]:2}")"
      expect "$name has no poetry" "absent" "$(run_in sh -c 'command -v poetry || ls /opt/poetry 2>/dev/null || echo absent')" ;;
    node-sea)
      expect "$name: one executable, bundled, no Node install" "Hello from node-sea! sea=true is-number(7)=true node=absent" "$(run_in "${ep[@]:2}")"
      expect "$name: its libraries are in the image" "none missing" "$(run_in sh -c 'ldd /usr/local/bin/node-sea | grep -q "not found" && echo missing || echo none missing')" ;;
    rust-hello)
      out=$(run_in "${ep[@]}")
      expect "$name: the chosen package and binary, with a registry dependency" "Hello from rust-hello! itoa(42)=42" "$out"
      expect "$name: account, CA bundle, /tmp" "user=nonroot home=/home/nonroot certs=true tmp=true" "$out"
      expect "$name ships only the chosen binary" "absent" "$(run_in sh -c 'ls /usr/local/bin/admin 2>/dev/null || echo absent')" ;;
    node-yarn)
      expect "$name: yarn's production dependencies only" "Hello from node-yarn! is-number=true dev-dependencies=absent" "$(run_in "${ep[@]:2}")" ;;
    go-cgo)
      expect "$name: a cgo binary on debian-slim, account, CA bundle" "check ok: user=nonroot home=/home/nonroot" "$(run_in "${ep[@]}" check)"
      expect "$name is dynamically linked" "libc" "$(run_in sh -c 'ldd /usr/local/bin/go-cgo 2>&1 || cat /proc/self/maps')" ;;
    node-pnpm)
      expect "$name: pnpm's production dependencies only, patches/ applied" "Hello from node-pnpm! is-number=true patched dev-dependencies=absent" "$(run_in "${ep[@]:2}")" ;;
    node-yarn-steps)
      expect "$name: a build step with a devDependency, then yarn's offline production reinstall" \
        "built-with=is-odd(3)=true is-number=true dev-dependencies=absent" "$(run_in node index.js)" ;;
    node-yarn-berry)
      expect "$name: yarn 4 focus after a build step, .yarn/patches applied, no credentials or cache shipped" \
        "built-with=is-odd(3)=true is-number=true patched dev-dependencies=absent yarn-files=none" "$(run_in node index.js)" ;;
    go-options)
      # Custom build.steps on scratch: the binary starting at all proves it
      # is static (the golang stand-in has gcc, so cgo would be on).
      expect "$name: custom steps, local module, runtime env" "hello from the local module, hello" "$(run_in "${ep[@]}" hello)"
      out=$(run_in "${ep[@]}" check)
      expect "$name: account, home, /tmp, CA bundle" "check ok: user=nonroot home=/home/nonroot tmp=777 sticky=true" "$out"
      expect "$name: runtime.writable on scratch" "writable=data/cache" "$out"
      mapfile -t zones < <(zone_names)
      out=$(run_in "${ep[@]}" zones "${zones[@]}")
      echo "$out" | grep -q "^zones: " || fail "$name zones: $out"
      # Every name the builder's Go embeds must load; names newer than the
      # stand-in's Go (1.19, tzdata 2022) are the only failures allowed.
      c=$("${B[@]}" from --pull=never docker.io/library/golang:1.22)
      zipdata="$context/zipdata.go"
      cp "$(find "$("${B[@]}" mount "$c")" -path '*/time/tzdata/zipdata.go' | head -1)" "$zipdata"
      "${B[@]}" umount "$c" >/dev/null
      "${B[@]}" rm "$c" >/dev/null
      for zone in $(echo "$out" | sed -n 's/^zones: .* failed: //p'); do
        ! grep -qF "$zone" "$zipdata" || fail "$name: the zone $zone is in Go's database but did not load"
      done
      expect "$name: time zones (${#zones[@]} names, legacy links included)" "zones: " "$out"
      expect "$name: a legacy zone name" "zones: 1 loaded, 0 failed" "$(run_in "${ep[@]}" zones US/Pacific)"
      # The build secret reached the build steps (the digest of it they
      # wrote is right) and is nowhere in the image.
      # (scratch has no cat: the image is read from its mount)
      mount=$("${B[@]}" mount "$container")
      [ "$(cut -d' ' -f1 "$mount/netrc.sha256")" = "$(sha256sum < "$context/netrc" | cut -d' ' -f1)" ] ||
        fail "$name: the build steps did not see the secret"
      secret=$(sed 's/.*password //' "$context/netrc")
      ! grep -rqsF "$secret" "$mount" || fail "$name: the secret is in the image"
      echo "ok: $name: the secret reached the build steps, not the image" >&2
      expect "$name: the SSH agent reached the build steps" "agent at" "$(cat "$mount/ssh-agent.txt")"
      # build.assets with explicit steps: in the build stage before the
      # build steps, and in the image under runtime.workdir.
      expect "$name: build.assets in the build stage" "built by build.assets steps with node" "$(cat "$mount/www-at-build.html")"
      expect "$name: build.assets steps, in runtime.workdir/into, root-owned" "built by build.assets steps with node $(node --version | cut -c2- | cut -d. -f1)</p> owner=0" \
        "$(cat "$mount/srv/www/index.html") owner=$(stat -c %u "$mount/srv/www/index.html")"
      "${B[@]}" umount "$container" >/dev/null ;;
    c-static)
      expect "$name: static binary on scratch, /tmp, account, CA bundle" "check ok: tmp=1777 user=nonroot certs=yes sqrt2=1.414" "$(run_in "${ep[@]}")" ;;
    python-options)
      expect "$name: nested requirements, workdir, account, .dockerignore, build.ignore" \
        "check ok: user=nonroot home=/home/nonroot cwd=/srv/app six=1.16.0 idna=3.7 leaked=none" "$(run_in python app.py check)"
      expect "$name: runtime.packages" "libpq.so.5" "$(run_in sh -c 'ls /usr/lib/*/libpq.so.5')"
      expect "$name: build.assets built by node, root-owned in static/" "<p>built with is-number=true</p> root" \
        "$(run_in sh -c 'echo "$(cat static/index.html) $(stat -c %U static/index.html)"')" ;;
    python-pyproject)
      expect "$name: an application's dependencies, not the project" "alpha ok: beta from a second top-level package six=1.16.0" "$(run_in "${ep[@]}")"
      expect "$name: the project itself is not installed" "not installed" "$(run_in sh -c 'pip show python-pyproject >/dev/null 2>&1 && echo installed || echo not installed')" ;;
    python-pipenv-local)
      expect "$name: locked dependencies with hashes, local editable package" "mypkg ok: idna=3.7 six=1.16.0 from /app/mypkg/__main__.py" "$(run_in "${ep[@]}")"
      expect "$name has no pipenv" "absent" "$(run_in sh -c 'command -v pipenv || ls /opt/pipenv 2>/dev/null || echo absent')" ;;
    node-options)
      # The production install ran native-dep's install script, not the
      # root's `prepare` (husky is a devDependency: the build would fail).
      expect "$name: build.workdir to runtime.workdir, account, .dockerignore, install scripts, credentials" \
        "check ok: user=node home=/home/node cwd=/srv/app is-number=true native-dep=built leaked=none writable=logs,uploads" "$(run_in node server.js check)" ;;
  esac
  # The final stage holds no compiler.
  if [[ $final_base != scratch ]]; then
    expect "$name has no compiler" "none" "$(run_in sh -c 'command -v gcc cc go || echo none')"
  fi
  "${B[@]}" rm "$container" >/dev/null

  # PID 1 and `docker stop`; the negative control shows the check can fail:
  # without an init, python as PID 1 ignores SIGTERM.
  case "$name" in
    python-options | node-options)
      expect "$name stops on SIGTERM as PID 1 (tini)" "stopped" "$(pid1_after_sigterm "$image")" ;;
    python-pyproject)
      expect "$name (runtime.init = false) ignores SIGTERM as PID 1" "still running" "$(pid1_after_sigterm "$image" serve)" ;;
  esac
  [ -z "${reuse[$name]:-}" ] || rebuild_reuses "$name" "${reuse[$name]}"
  done_with "$image" "$image-rebuild"

  if [[ -n ${seed[$name]:-} ]]; then
    rows+=("| $name | \`$final_base\` | $(mb "$image_total") | $(mb "$base_bytes") | $(mb $((image_total - base_bytes))) | $(mb "$artifacts") | $overhead | $layers | ${seed[$name]} |")
  fi
  stage "$name"
done
fi

if want shipit; then
# --- shipit ships itself -------------------------------------------------------
# The repository's own shipit.toml (language rust) renders its Dockerfile;
# the image it builds runs shipit, templates embedded.
log "shipit itself, from the repository's shipit.toml"
"$shipit" check -m shipit.toml >/dev/null || fail "the repository's Dockerfile is not what its shipit.toml renders"
ensure_image "$(from_images Dockerfile | head -1)"
ensure_image "$(from_images Dockerfile | tail -1)"
build . localhost/shipit-e2e/shipit > "$context/build.log" || { cat "$context/build.log"; fail "shipit's own image does not build"; }
mapfile -t ep < <(entrypoint localhost/shipit-e2e/shipit)
container=$("${B[@]}" from --pull=never localhost/shipit-e2e/shipit)
expect "shipit's image runs shipit --version" "shipit $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" "$(run_in "${ep[@]}" --version)"
expect "shipit's image renders a manifest with its embedded templates" "FROM --platform=\$BUILDPLATFORM golang:1.25 AS build" \
  "$(run_in sh -c 'cd /tmp && mkdir -p s && cd s && printf "name = \"s\"\nlanguage = \"go\"\n" > shipit.toml && printf "module s\n" > go.mod && shipit render')"
"${B[@]}" rm "$container" >/dev/null
done_with localhost/shipit-e2e/shipit
stage "shipit itself"
fi

if want corpus; then
# --- the corpus: real-shaped projects, built from what init wrote -------------
# Each project under tests/corpus/ is copied as its repository holds it;
# `shipit init` (no flags) and `shipit render` write the manifest and the
# Dockerfile, which are built as they are, with no edit, and the running
# program must answer as tests/corpus/expect.txt says.
serve_and_get() { # image path -> the answer of its first EXPOSEd port, as its user
  local image=$1 path=$2 c m user uid gid workdir port pid answer=""
  c=$("${B[@]}" from --pull=never "$image")
  m=$("${B[@]}" mount "$c")
  local -a argv envs
  # One inspection (each takes the storage lock), read field by field.
  "${B[@]}" inspect --type image "$image" > "$context/inspect.json"
  config() { python3 -c "import json,sys; oci = json.load(sys.stdin)['OCIv1']; print($1)" < "$context/inspect.json"; }
  mapfile -t argv < <(config "'\\n'.join((oci['config'].get('Entrypoint') or []) + (oci['config'].get('Cmd') or []))")
  mapfile -t envs < <(config "'\\n'.join(oci['config'].get('Env') or [])")
  user=$(config "oci['config'].get('User') or '0:0'")
  workdir=$(config "oci['config'].get('WorkingDir') or '/'")
  port=$(config "min((int(p.split('/')[0]) for p in oci['config'].get('ExposedPorts') or {}), default='')")
  [ -n "$port" ] || fail "$image exposes no port"
  # USER as numbers, names looked up in the image's own passwd.
  uid=${user%%:*} gid=${user#*:}
  [ "$gid" != "$user" ] || gid=""
  [[ $uid =~ ^[0-9]+$ ]] || uid=$(awk -F: -v n="$uid" '$1 == n { print $3 }' "$m/etc/passwd")
  [ -n "$gid" ] || gid=$(awk -F: -v u="$uid" '$3 == u { print $4 }' "$m/etc/passwd")
  [[ $gid =~ ^[0-9]+$ ]] || gid=$(awk -F: -v n="$gid" '$1 == n { print $3 }' "$m/etc/group")
  # The program shares this machine's network: what answers must be it.
  ! python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null ||
    fail "$image: port $port is already in use on this machine"
  # (scratch has no /dev nor /proc to mount on: made in this container only)
  mkdir -p "$m/dev" "$m/proc"
  mount --bind /dev "$m/dev"
  # The image's environment only, in its root and workdir, in a new PID
  # namespace as a container's: killing its first process ends every
  # process the program started. Nothing of the image runs before the
  # program (a scratch image has no shell).
  env -i "${envs[@]}" "$(command -v unshare)" --fork --pid --mount-proc \
    --root="$m" --wd="$workdir" --setuid "$uid" --setgid "${gid:-$uid}" \
    "${argv[@]}" > "$context/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    answer=$(python3 -c 'import sys, urllib.request as u; print(u.urlopen(sys.argv[1], timeout=2).read().decode())' \
      "http://127.0.0.1:$port$path" 2>/dev/null) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.3
  done
  pkill -KILL -P "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  umount "$m/dev"
  "${B[@]}" umount "$c" >/dev/null
  "${B[@]}" rm "$c" >/dev/null
  [ -n "$answer" ] || { cat "$context/serve.log" >&2; fail "$image: nothing answered on port $port$path"; }
  printf '%s\n' "$answer"
}

corpus_built=0
for project in tests/corpus/*/; do
  name=$(basename "$project")
  named "$name" || continue
  log "corpus: $name (init, render, build, run)"
  dir="$context/corpus/$name"
  mkdir -p "$context/corpus"
  cp -r "$project" "$dir"
  (cd "$dir" && "$shipit" init >/dev/null 2>&1 && "$shipit" render -o Dockerfile >/dev/null 2>&1) ||
    fail "corpus $name: init or render failed"
  for image in $(from_images "$dir/Dockerfile") $(sed -n 's/^COPY --from=\([^ ]*[:@][^ ]*\) .*/\1/p' "$dir/Dockerfile"); do
    [ "$image" = scratch ] || ensure_image "$image"
  done
  image="localhost/shipit-e2e/corpus-$name"
  build "$dir" "$image" > "$context/build.log" || { cat "$context/build.log"; fail "corpus $name does not build"; }
  mapfile -t ep < <(entrypoint "$image")
  checks=0
  while IFS='|' read -r who how want; do
    who=$(echo "$who" | xargs) how=$(echo "$how" | sed 's/^ *//; s/ *$//') want=$(echo "$want" | sed 's/^ *//; s/ *$//')
    [ "$who" = "$name" ] || continue
    case "$how" in
      http\ *) out=$(serve_and_get "$image" "${how#http }") ;;
      run*)
        container=$("${B[@]}" from --pull=never "$image")
        # shellcheck disable=SC2086
        out=$(run_in "${ep[@]}" ${how#run}) || true
        "${B[@]}" rm "$container" >/dev/null ;;
    esac
    expect "corpus $name: $how" "$want" "$out"
    checks=$((checks + 1))
  done < <(grep -v '^#' tests/corpus/expect.txt)
  [ "$checks" -gt 0 ] || fail "corpus $name has no line in tests/corpus/expect.txt"
  corpus_built=$((corpus_built + 1))
  done_with "$image"
  stage "corpus $name"
done
fi

if want monorepo; then
# --- a monorepo, built target by target from its bake file --------------------
# Buildx cannot be installed here, so each target of
# examples/monorepo/docker-bake.json is built the way Bake would build it:
# buildah with the target's context, dockerfile and args, for the native
# platform (which must be one the target lists, when it lists any). The file is checked against Bake's documented fields first. The
# tree is built from a copy with a secret at each workspace root that the
# ignore file beside each Dockerfile (<Dockerfile>.dockerignore) keeps out.
log "examples/monorepo: every bake target"
"$shipit" check --all examples/monorepo >/dev/null || fail "examples/monorepo has drifted from its manifests"
"$shipit" bake --check examples/monorepo >/dev/null || fail "examples/monorepo/docker-bake.json is not what shipit bake writes"
mono="$context/monorepo"
cp -r examples/monorepo "$mono"
for workspace in go js py npm; do echo "SECRET=1" > "$mono/$workspace/.env"; done
python3 - "$mono/docker-bake.json" > "$context/bake-targets" <<'PY'
import json, sys
# Bake's JSON file: group, target, variable and function blocks; a
# target's attributes as the Bake file reference documents them.
TARGET = {"args", "annotations", "attest", "cache-from", "cache-to", "call",
          "context", "contexts", "description", "dockerfile", "dockerfile-inline",
          "entitlements", "inherits", "labels", "matrix", "name", "network",
          "no-cache", "no-cache-filter", "output", "platforms", "pull",
          "secret", "shm-size", "ssh", "tags", "target", "ulimits"}
bake = json.load(open(sys.argv[1]))
assert set(bake) <= {"group", "target", "variable", "function"}, set(bake)
targets = bake["target"]
assert bake["group"]["default"]["targets"] == sorted(targets), bake["group"]
assert bake["variable"]["TAG"] == {"default": "latest"}, bake["variable"]
for name, target in targets.items():
    assert set(target) <= TARGET, (name, set(target) - TARGET)
    for key in ("context", "dockerfile"):
        assert isinstance(target[key], str), (name, key)
    for key in ("platforms", "tags", "cache-from", "cache-to"):
        value = target.get(key, [])
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), (name, key)
    assert target["tags"] and all(t.endswith(":${TAG}") for t in target["tags"]), name
    args = " ".join(f"{k}={v}" for k, v in sorted(target.get("args", {}).items()))
    print(name, target["context"], target["dockerfile"], ",".join(target.get("platforms", [])) or "-", args)
PY
echo "ok: docker-bake.json has only Bake's documented fields" >&2
declare -A bake_expect=(
  [api]="Hello from api, built in a Go workspace!"
  [web]="Hello from web, built in a pnpm workspace! is-number(1)=true dev-dependencies=absent"
  [worker]="Hello from worker, built in a uv workspace! six=1.16.0 dev-dependencies=absent"
  [admin]="Hello from admin, built in a pnpm workspace! is-number(1)=true built-with=is-odd(3)=true dev-dependencies=absent web=absent"
  [hello]="Hello from hello, built in an npm workspace! is-number(1)=true"
  [other]="Hello from other, built in an npm workspace! is-odd(3)=true built-with=left-pad=007 dev-dependencies=absent hello=absent"
  [count]="Hello from count, built on its own! 0 arguments"
)
# A workspace member ships itself and what it depends on: not the other
# members, nor what only they install.
declare -A bake_absent=(
  [web]="app/apps/admin app/node_modules/.pnpm/is-odd@3.0.1"
  [hello]="app/packages/other app/node_modules/is-odd app/node_modules/left-pad"
)
built=0
native="linux/$(dpkg --print-architecture)"
while read -r -u 3 name target_context dockerfile platforms args; do
  named "$name" || { built=$((built + 1)); continue; }
  log "bake target $name (context $target_context, dockerfile $dockerfile)"
  dir="$mono/$target_context"
  mapfile -t froms < <(from_images "$dir/$dockerfile")
  for image in "${froms[@]}" $(sed -n 's/^COPY --from=\([^ ]*[:@][^ ]*\) .*/\1/p' "$dir/$dockerfile"); do
    [ "$image" = scratch ] || ensure_image "$image"
  done
  flags=()
  for arg in $args; do flags+=(--build-arg "$arg"); done
  if [ "$platforms" != - ]; then
    [[ ",$platforms," == *",$native,"* ]] || fail "bake target $name: $native is not among its platforms ($platforms)"
    flags+=(--platform "$native")
  fi
  image="localhost/shipit-e2e/bake-$name"
  "${B[@]}" build --isolation chroot --pull=never --layers=false "${flags[@]}" -t "$image" \
    -f "$dir/$dockerfile" "$dir" > "$context/build.log" 2>&1 || { cat "$context/build.log"; fail "bake target $name does not build"; }
  [ -n "${bake_expect[$name]:-}" ] || fail "bake target $name has no expectation"
  mapfile -t ep < <(entrypoint "$image")
  container=$("${B[@]}" from --pull=never "$image")
  expect "bake target $name runs" "${bake_expect[$name]}" "$(run_in "${ep[@]}")"
  if [ "$platforms" != - ]; then
    expect "bake target $name is built for $native (image.platforms)" "$native" \
      "$(image_config "$image" "oci['os'] + '/' + oci['architecture']")"
  fi
  mount=$("${B[@]}" mount "$container")
  ! grep -rqsF "SECRET=1" "$mount/app" "$mount/src" 2>/dev/null || fail "bake target $name: a workspace's .env is in the image"
  for path in ${bake_absent[$name]:-}; do
    [ ! -e "$mount/$path" ] || fail "bake target $name: /$path is in the image"
  done
  [ -z "${bake_absent[$name]:-}" ] || echo "ok: bake target $name leaves out ${bake_absent[$name]}" >&2
  "${B[@]}" umount "$container" >/dev/null
  "${B[@]}" rm "$container" >/dev/null
  built=$((built + 1))
  done_with "$image"
  stage "bake target $name"
done 3< "$context/bake-targets"
[ "$built" = "${#bake_expect[@]}" ] || fail "built $built bake targets, expected ${#bake_expect[@]}"
fi


if want pinned; then
# --- built from pinned references, through a real registry on loopback ---------
# `shipit lock` resolves the images a render uses to their digests; the
# build then pulls exactly those. The stand-ins are pushed to Debian's
# docker-registry (the CNCF distribution registry) on 127.0.0.1 first.
log "c-hello built from pinned references (shipit lock, a registry on loopback)"
if ! command -v docker-registry >/dev/null || ! command -v skopeo >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry skopeo >/dev/null
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry="127.0.0.1:$port"
mkdir -p "$context/registry/data"
printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
  "$context/registry/data" "$registry" > "$context/registry/config.yml"
docker-registry serve "$context/registry/config.yml" > "$context/registry/log" 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true; rm -rf "$context"; kill "$SSH_AGENT_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break
  sleep 0.2
done
ensure_image ubuntu:24.04
# Builder and runtime as two images (the runtime one with a label of its
# own), so each pin is checked on its own.
c=$("${B[@]}" from --pull=never docker.io/library/ubuntu:24.04)
"${B[@]}" config --label org.example.role=runtime "$c"
"${B[@]}" commit -q "$c" localhost/shipit-e2e/ubuntu-runtime >/dev/null
"${B[@]}" rm "$c" >/dev/null
"${B[@]}" push -q --tls-verify=false docker.io/library/ubuntu:24.04 "docker://$registry/library/ubuntu:24.04"
"${B[@]}" push -q --tls-verify=false localhost/shipit-e2e/ubuntu-runtime "docker://$registry/library/ubuntu-runtime:24.04"
dir="$context/variants/c-pinned"
mkdir -p "$context/variants"
cp -r examples/c-hello "$dir"
rm -f "$dir/Dockerfile" "$dir/.dockerignore"
sed -i "s|^version = \"24.04\"|image = \"$registry/library/ubuntu:24.04\"|" "$dir/shipit.toml"
printf '\n[runtime]\nbase = "%s/library/ubuntu-runtime:24.04"\n' "$registry" >> "$dir/shipit.toml"
"$shipit" lock -m "$dir/shipit.toml" --insecure-registry "$registry" || fail "shipit lock"
digest() { skopeo inspect --tls-verify=false --raw "docker://$registry/library/$1" | sha256sum | cut -d' ' -f1; }
builder_digest=$(digest ubuntu:24.04)
runtime_digest=$(digest ubuntu-runtime:24.04)
grep -q "sha256:$builder_digest" "$dir/shipit.lock" && grep -q "sha256:$runtime_digest" "$dir/shipit.lock" ||
  { cat "$dir/shipit.lock"; fail "shipit.lock does not hold the digests the registry serves"; }
echo "ok: shipit lock recorded the digests skopeo reads" >&2
"$shipit" render -m "$dir/shipit.toml" -o "$dir/Dockerfile" 2>/dev/null
grep -q "^FROM $registry/library/ubuntu:24.04@sha256:$builder_digest AS build$" "$dir/Dockerfile" ||
  { cat "$dir/Dockerfile"; fail "the render does not use the pinned builder"; }
"$shipit" check -m "$dir/shipit.toml" >/dev/null 2>&1 || fail "check after lock and render"
"${B[@]}" build --isolation chroot --tls-verify=false --pull=always --layers=false \
  -t localhost/shipit-e2e/c-pinned -f "$dir/Dockerfile" "$dir" > "$context/build.log" 2>&1 ||
  { cat "$context/build.log"; fail "c-pinned does not build from its pinned references"; }
grep -q "GET /v2/library/ubuntu-runtime/manifests/sha256:$runtime_digest" "$context/registry/log" ||
  fail "the build did not pull the runtime base by its digest"
expect "c-pinned carries its base's digest" "sha256:$runtime_digest" \
  "$(image_config localhost/shipit-e2e/c-pinned "oci['config']['Labels'].get('org.opencontainers.image.base.digest')")"
container=$("${B[@]}" from --pull=never localhost/shipit-e2e/c-pinned)
expect "c-pinned runs" "Hello from the container!" "$(run_in /usr/local/bin/hello)"
"${B[@]}" rm "$container" >/dev/null
kill "$registry_pid"
done_with localhost/shipit-e2e/c-pinned localhost/shipit-e2e/ubuntu-runtime
# (--pull=always stored the registry's images under their registry's
# name, by digest: no tag names them. Removed once c-pinned, built on
# one, is gone; one whose content is a stand-in's stays a second name of
# it, which costs nothing.)
"${B[@]}" images --format '{{.Name}}@{{.Digest}}' | grep "^$registry/" |
  xargs -r -n1 "${B[@]}" rmi >/dev/null 2>&1 || true
stage "pinned build"
fi


# --- clean up: keep the stand-ins, drop what this run built ----------------------
if want all; then
  drop_leftovers
else
  "${B[@]}" images --format '{{.Name}}:{{.Tag}}' |
    grep '^localhost/shipit-e2e/' | grep -v -e '/standin-' -e '/debian:' |
    xargs -r "${B[@]}" rmi -f >/dev/null 2>&1 || true
fi
stage "clean up"

if want builds && [ -z "$names" ]; then
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
  echo "packages such as tini, the account, metadata). *artifacts* counts"
  echo "everything the final stage copies from the builder, CA certificates"
  echo "and passwd entries included."
  echo
  echo "| example | final base | image | base | image − base | artifacts | overhead | layers | the seed's figure |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "node-hello (\`node.mode = \"pkg\"\`) is not built here: pkg downloads"
  echo "prebuilt Node binaries at build time, which this machine cannot reach."
} > docs/images.md
cat docs/images.md
fi
[ "$only" = all ] || { echo "e2e: the $only part passed" >&2; exit 0; }
echo "e2e: ${#examples[@]} examples, ${#variants[@]} option variants, $corpus_built corpus projects and $built monorepo bake targets built, run and checked; 5 rebuilds reused their dependency layer; $((SECONDS - started)) s" >&2
