#!/usr/bin/env bash
# Benchmark for workspace walks: generates pnpm workspaces of 250 and 1,000
# members (each a runtime-mode Node app with its rendered Dockerfile,
# depending on the workspace library) and times `shipit check --all` over
# each. Every member plans against the whole workspace, so a walk or a
# package.json read per member per member is quadratic; the workspace is
# read once per process and the time grows linearly.
# Figures (debug build, 2 shared cores, hyperfine mean):
#   before (99a2e28): 250 members 13.5 s, 1,000 members 272.8 s (one run)
#   after  (d856179): 250 members  2.4 s, 1,000 members  31.1 s
# That remainder grew with the output: every member's Dockerfile copied
# every member's package.json, so N members rendered N lines each. pnpm
# members now `pnpm fetch` from the lockfile alone and copy no member's
# package.json (a member's Dockerfile is 36 lines whatever the workspace).
# Same machine, same load (two buildah builds beside it), hyperfine mean
# and user CPU:
#   before (09ea53c): 250 members 3.1 s (user 2.7 s), 1,000 members 43.5 s (user 40.0 s)
#   after  (482ae2c): 250 members 2.3 s (user 0.8 s), 1,000 members 15.1 s (user 7.3 s)
#   after, 1,000 members, unloaded, one run: 7.5 s (user 6.5 s)
# Each member then still looked up every member's package.json and
# `file:` directories and indexed them by name: O(n) per member. A
# workspace whose members all read cleanly is now made once per process
# and shared by every member (one with a problem is read member by
# member, so each reports it). Same machine, a CI build beside it:
#   before (870ae3a): 250 members 0.71 s (user 0.78 s), 1,000 members 6.53 s (user 7.48 s)
#   after (de53258):  250 members 0.50 s (user 0.57 s), 1,000 members 2.68 s (user 2.89 s)
# Still 5.4 times the work for 4 times the members: each member found
# the member list again (cached, but copied, its names checked and the
# member looked up in it: O(n) per member), and keyed the clean
# workspace by the whole list. The list, its checks and the key are now
# made once per workspace. Instructions (valgrind, debug build), 250 /
# 500 members: before 2.19 / 5.39 billion (× 2.46), after 1.66 / 3.26
# billion (× 1.96). Hyperfine mean, a CI build beside it:
#   after:            250 members 0.37 s (user 0.44 s), 1,000 members 1.45 s (user 1.70 s)
# Uses hyperfine when installed (apt-get install hyperfine), else `time`.
# Usage: bench/workspace_members.sh [SIZES...]   (default: 250 1000)
# SHIPIT=path/to/shipit times that binary instead of a fresh debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SHIPIT:-}" ]; then
  cargo build --quiet
  SHIPIT="$PWD/target/debug/shipit"
fi
bin=$SHIPIT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() { # count dir
  local root=$2
  mkdir -p "$root/packages/lib"
  printf '{"private": true, "packageManager": "pnpm@9.15.9"}\n' > "$root/package.json"
  printf 'packages:\n  - "apps/*"\n  - "packages/*"\n' > "$root/pnpm-workspace.yaml"
  printf "lockfileVersion: '9.0'\n" > "$root/pnpm-lock.yaml"
  printf '{"name": "lib"}\n' > "$root/packages/lib/package.json"
  for i in $(seq 1 "$1"); do
    local dir="$root/apps/app-$i"
    mkdir -p "$dir"
    printf '{"name": "app-%s", "dependencies": {"lib": "workspace:*"}}\n' "$i" > "$dir/package.json"
    : > "$dir/index.js"
    printf 'name = "app-%s"\nlanguage = "node"\n[build]\ncontext = "../.."\n[node]\nmode = "runtime"\n' "$i" > "$dir/shipit.toml"
  done
  # Rendered once every member is in place: each Dockerfile lists them all.
  find "$root/apps" -mindepth 1 -maxdepth 1 -type d | xargs -P "$(nproc)" -I{} "$bin" render -m {}/shipit.toml -o {}/Dockerfile 2>/dev/null
}

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250 1000)
for n in "${sizes[@]}"; do
  echo "generating a pnpm workspace of $n members..." >&2
  generate "$n" "$work/ws-$n"
  "$bin" check --all "$work/ws-$n" | tail -1
  command="$bin check --all $work/ws-$n"
  echo "$command" | sed "s|$work/||; s|$bin|shipit|"
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 -N --style basic --output=null "$command" 2>&1 | grep -E "Time|Range"
  else
    # shellcheck disable=SC2086
    time $command > /dev/null
  fi
done
