#!/usr/bin/env bash
# Runs every libFuzzer target of the sanitizer build (build-asan/, made by
# scripts/sanitize.sh) for SECONDS each (default 20): first its regression
# inputs (tests/fuzz/regressions/<target>/, every crash ever found) and the
# seed corpus (tests/fuzz/make-seeds.py: the repository's own files and a
# few hand-made ones), then fuzzing from that corpus. A crash fails the run
# and leaves its input in the target's artifact directory; copy it to
# tests/fuzz/regressions/<target>/ with the fix. Long runs: SECONDS=3600.
#   fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NNC_ASAN_BUILD_DIR:-$root/build-asan}"
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frontend csv npy npz idx cifar safetensors manifest checkpoint)
work="${NNC_FUZZ_DIR:-$build/fuzz-work}"
mkdir -p "$work"
python3 "$root/tests/fuzz/make-seeds.py" "$root" "$work/seeds"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz-$t"
  [ -x "$bin" ] || bin="$build/bin/fuzz-$t"
  corpus="$work/corpus/$t"
  mkdir -p "$corpus" "$work/artifacts/$t"
  regressions="$root/tests/fuzz/regressions/$t"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    "$bin" -runs=0 "$regressions"/* >/dev/null 2>&1 ||
      { echo "fuzz-$t: a regression input fails again"; "$bin" "$regressions"/*; exit 1; }
  fi
  echo "fuzz-$t: $seconds s"
  "$bin" "$corpus" "$work/seeds/$t" -max_total_time="$seconds" \
    -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix="$work/artifacts/$t/" -print_final_stats=1 2>&1 |
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+[[:space:]]+DONE)|ERROR|SUMMARY' || true
  # Any one kind of failing input counts (an ls of all three patterns fails
  # unless every kind is there, which hid a crash once).
  if compgen -G "$work/artifacts/$t/crash-*" >/dev/null ||
     compgen -G "$work/artifacts/$t/timeout-*" >/dev/null ||
     compgen -G "$work/artifacts/$t/oom-*" >/dev/null; then
    echo "fuzz-$t: found a failing input in $work/artifacts/$t"
    exit 1
  fi
done
