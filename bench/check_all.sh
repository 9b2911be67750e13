#!/usr/bin/env bash
# Benchmark for the tree commands: generates trees of 1,000 and 10,000
# manifests (the five languages in turn, each with its rendered Dockerfile)
# and times, over each, a plain walk of the tree (`find`, the floor: no
# command can list the manifests faster), `shipit check --all` and
# `shipit bake`; then one `shipit check` and one `shipit render`.
# Goal: `check --all` and `bake` under 0.5 s wall for 10,000 on 2 cores,
# growing linearly.
# Uses hyperfine when installed (apt-get install hyperfine), else `time`.
# Usage: bench/check_all.sh [SIZES...]   (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/shipit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

manifest() { # language index
  case $1 in
    go) printf 'name = "svc-%s"\nlanguage = "go"\n[runtime]\nports = [8080]\n' "$2" ;;
    node) printf 'name = "svc-%s"\nlanguage = "node"\n[node]\nmode = "runtime"\n' "$2" ;;
    python) printf 'name = "svc-%s"\nlanguage = "python"\n[runtime]\nentrypoint = ["gunicorn", "app:app"]\n' "$2" ;;
    c) printf 'name = "svc-%s"\nlanguage = "c"\n[c]\nsources = ["main.c"]\n' "$2" ;;
    rust) printf 'name = "svc-%s"\nlanguage = "rust"\n' "$2" ;;
  esac
}

generate() { # count dir
  local languages=(go node python c rust)
  for i in $(seq 1 "$1"); do
    local dir="$2/team-$((i % 50))/svc-$i" language=${languages[$((i % 5))]}
    mkdir -p "$dir"
    manifest "$language" "$i" > "$dir/shipit.toml"
    [ "$language" = python ] && echo "flask" > "$dir/requirements.txt"
    if [ "$language" = rust ]; then
      mkdir -p "$dir/src"
      printf '[package]\nname = "svc-%s"\nversion = "0.1.0"\nedition = "2024"\n' "$i" > "$dir/Cargo.toml"
      echo "version = 4" > "$dir/Cargo.lock"
      echo "fn main() {}" > "$dir/src/main.rs"
    fi
    echo "$dir"
  done | xargs -P "$(nproc)" -I{} "$bin" render -m {}/shipit.toml -o {}/Dockerfile 2>/dev/null
}

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
for n in "${sizes[@]}"; do
  echo "generating $n manifests..." >&2
  generate "$n" "$work/tree-$n"
  "$bin" check --all "$work/tree-$n" | tail -1
  floor="find $work/tree-$n -name shipit.toml"
  commands=("$floor" "$bin check --all $work/tree-$n" "$bin bake $work/tree-$n")
  if command -v hyperfine >/dev/null; then
    for command in "${commands[@]}"; do
      echo "$command" | sed "s|$work/||; s|$bin|shipit|"
      hyperfine --warmup 1 --runs 10 -N --style basic --output=null "$command" 2>&1 | grep -E "Time|Range"
    done
  else
    for command in "${commands[@]}"; do
      echo "$command" | sed "s|$work/||; s|$bin|shipit|"
      # shellcheck disable=SC2086
      time $command > /dev/null
    done
  fi
done

one=$(find "$work" -name shipit.toml -print -quit)
echo "one manifest: $one" >&2
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs 50 -N --style basic "$bin check -m $one" 2>&1 | grep -E "Time|Range"
  hyperfine --warmup 3 --runs 50 -N --style basic "$bin render -m $one" 2>&1 | grep -E "Time|Range"
else
  time "$bin" check -m "$one"
fi
