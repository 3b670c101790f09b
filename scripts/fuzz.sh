#!/usr/bin/env bash
# Coverage-guided fuzzing on the stable toolchain (cargo-afl): builds the targets in tests/fuzz
# and runs each for SECONDS (default 5: the smoke run of scripts/test.sh; a real campaign is
# `FUZZ_PROFILE=release scripts/fuzz.sh 1800 raw_heads`). Fails when any target found a crash,
# and says where the crashing inputs are. Each run starts from the committed seed corpus
# (tests/fuzz/corpus). The smoke run uses an unoptimised build: it compiles in a third of the
# time, which is what CI's budget can spend; campaigns want the release build.
#
#   [FUZZ_PROFILE=release] scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh --build-only    (then FUZZ_PREBUILT=1 scripts/fuzz.sh SECONDS skips the build)
#   targets: raw_heads bodies diff signatures curl query import_jsonl import_har
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(raw_heads bodies diff signatures curl query import_jsonl import_har)

profile=${FUZZ_PROFILE:-debug}
if [ "$secs" = "--build-only" ] || [ -z "${FUZZ_PREBUILT:-}" ]; then
  command -v cargo-afl >/dev/null || cargo install cargo-afl --locked
  if [ "$profile" = release ]; then
    (cd tests/fuzz && cargo afl build --release --locked)
  else
    (cd tests/fuzz && cargo afl build --locked)
  fi
fi
[ "$secs" = "--build-only" ] && exit 0

# A container has no CPU governor to check and may pipe core dumps elsewhere: AFL is told so.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
out=tests/fuzz/target/findings
failed=0
for t in "${targets[@]}"; do
  rm -rf "$out/$t"
  mkdir -p "$out/$t"
  cargo afl fuzz -V "$secs" -i "tests/fuzz/corpus/$t" -o "$out/$t" "tests/fuzz/target/$profile/$t" >"$out/$t.log" 2>&1 || {
    echo "fuzz $t: afl-fuzz failed to run:"; tail -20 "$out/$t.log"; failed=1; continue; }
  stats="$out/$t/default/fuzzer_stats"
  execs=$(awk -F': *' '/^execs_done/ {print $2}' "$stats")
  crashes=$(awk -F': *' '/^saved_crashes/ {print $2}' "$stats")
  hangs=$(awk -F': *' '/^saved_hangs/ {print $2}' "$stats")
  paths=$(awk -F': *' '/^corpus_count/ {print $2}' "$stats")
  echo "fuzz $t: ${secs}s, $execs executions, $paths inputs in the corpus, $crashes crashes, $hangs hangs"
  if [ "${crashes:-0}" != "0" ]; then
    echo "  crashing inputs: $out/$t/default/crashes/ (replay one: tests/fuzz/target/$profile/$t < FILE)"
    failed=1
  fi
done
exit $failed
