#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one after the other, and
# prints per target: seconds fuzzed, executions, and findings (crash, timeout, out-of-memory
# and leak artifacts written during this run). Exit status 1 when any target found something.
#
#   bash scripts/fuzz.sh 600                 # every target, 10 minutes each
#   bash scripts/fuzz.sh 30 segment rules    # some targets
#   FUZZ_JOBS=2 bash scripts/fuzz.sh 300     # libFuzzer workers per target (default 1)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`; FUZZ_INSTALL=1 installs it when missing) and a
# C++ compiler. cargo-fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP=1 allows them on
# a stable toolchain. The working corpus grows in fuzz/corpus/TARGET (not committed) from the
# committed seeds in fuzz/seeds/TARGET; findings land in fuzz/artifacts/TARGET and logs in
# fuzz/logs/TARGET.log. Reproduce a finding with `cargo fuzz run TARGET fuzz/artifacts/TARGET/FILE`
# and turn it into a regression test before fixing it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_TARGET="${1:-60}"
shift || true
JOBS="${FUZZ_JOBS:-1}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    if [ "${FUZZ_INSTALL:-0}" = 1 ]; then
        echo "== cargo install cargo-fuzz"
        cargo install --locked cargo-fuzz
    else
        echo "error: cargo-fuzz is not installed (cargo install cargo-fuzz, or FUZZ_INSTALL=1)" >&2
        exit 2
    fi
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

mkdir -p fuzz/logs
echo "== cargo fuzz build (targets: ${targets[*]}); log: fuzz/logs/build.log"
if ! (cd fuzz && cargo fuzz build) >fuzz/logs/build.log 2>&1; then
    tail -30 fuzz/logs/build.log >&2
    exit 2
fi
summary=()
found=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    dirs=("corpus/$t")
    [ -d "fuzz/seeds/$t" ] && dirs+=("seeds/$t")
    parallel=()
    [ "$JOBS" -gt 1 ] && parallel=(-jobs="$JOBS" -workers="$JOBS")
    marker="$(mktemp)"
    echo "== fuzz $t for ${SECONDS_PER_TARGET}s (${JOBS} job(s)); log: fuzz/logs/$t.log"
    status=0
    # -timeout: an input taking 10 s is a hang; -rss_limit_mb: memory out of proportion.
    (cd fuzz && cargo fuzz run "$t" "${dirs[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 "${parallel[@]}") >"fuzz/logs/$t.log" 2>&1 || status=$?
    # With several jobs libFuzzer writes one fuzz-N.log per worker; fold them into the log.
    for w in fuzz/fuzz-*.log; do
        if [ -e "$w" ]; then cat "$w" >>"fuzz/logs/$t.log"; rm -f "$w"; fi
    done
    # Executions: the sum of every worker's final stat::number_of_executed_units.
    execs="$(awk '/stat::number_of_executed_units/ {n += $2} END {print n + 0}' "fuzz/logs/$t.log")"
    if [ "$execs" = 0 ]; then
        # A crash stops libFuzzer before its final stats: take the last progress line.
        execs="$(grep -oE '^#[0-9]+' "fuzz/logs/$t.log" | tail -1 | tr -d '#' || true)"
    fi
    mapfile -t new < <(find "fuzz/artifacts/$t" -type f -newer "$marker")
    rm -f "$marker"
    corpus="$(find "fuzz/corpus/$t" -type f | wc -l)"
    summary+=("$(printf '%-8s %6ss %12s execs %6s corpus files %3s findings (exit %s)' "$t" "$SECONDS_PER_TARGET" "${execs:-0}" "$corpus" "${#new[@]}" "$status")")
    for a in "${new[@]}"; do
        summary+=("         finding: $a")
    done
    if [ "${#new[@]}" -ne 0 ] || [ "$status" -ne 0 ]; then
        found=1
    fi
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$found"
