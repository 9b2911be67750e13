#!/usr/bin/env bash
# Fuzzes parse → resolve → render with libFuzzer for a while (default ten
# minutes), then copies whatever crashed into fuzz/regressions/, which
# `cargo test` replays (tests/fuzz_inputs.rs). Not part of CI: run it by
# hand before a release or after touching the parser, plan or templates.
#
#   fuzz/run.sh              # 600 s
#   SECONDS_TO_RUN=3600 fuzz/run.sh
#   FUZZ_PROFILE=--dev fuzz/run.sh   # debug build: no optimised compile
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly compiler, or
# stable with RUSTC_BOOTSTRAP=1, which this script sets.
set -euo pipefail
cd "$(dirname "$0")"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
seconds="${SECONDS_TO_RUN:-600}"
mkdir -p corpus artifacts/render regressions

# The corpus grows in corpus/ (not committed); seeds/ stays as written.
set +e
cargo fuzz run ${FUZZ_PROFILE:-} render corpus seeds -- \
  -dict=toml.dict -max_total_time="$seconds" -print_final_stats=1 \
  2>&1 | tee fuzz.log
status=${PIPESTATUS[0]}
set -e

found=0
for crash in artifacts/render/crash-* artifacts/render/oom-* artifacts/render/timeout-*; do
  [ -e "$crash" ] || continue
  cp "$crash" "regressions/$(basename "$crash")"
  found=$((found + 1))
done
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' fuzz.log | grep -o '[0-9]*$' || echo "?")
echo "fuzz: $runs executions in ${seconds}s, $found new crash input(s) in fuzz/regressions/" >&2
exit "$status"
