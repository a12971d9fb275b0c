#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one after the other, and
# prints per target: seconds fuzzed, executions, and findings (crash, timeout, out-of-memory
# and leak artifacts written during this run). Exit status 1 when any target found something.
#
#   bash scripts/fuzz.sh 600                 # every cargo-fuzz target, 10 minutes each
#   bash scripts/fuzz.sh 30 segment rules    # some targets
#   bash scripts/fuzz.sh 600 all             # every cargo-fuzz target, then python
#   bash scripts/fuzz.sh 600 python          # the Python API: tests/test_properties.py with
#                                            # fresh hypothesis seeds, run after run, for 600 s
#   FUZZ_JOBS=2 bash scripts/fuzz.sh 300     # libFuzzer workers per target (default 1)
#
# The python target needs newsclean and hypothesis importable by $PYTHON (default python3);
# it counts hypothesis's passing examples as executions.
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

PYTHON="${PYTHON:-python3}"
mapfile -t cargo_targets < <(cd fuzz && cargo fuzz list)
if [ "$#" -eq 0 ]; then
    targets=("${cargo_targets[@]}")
elif [ "$*" = all ]; then
    targets=("${cargo_targets[@]}" python)
else
    targets=("$@")
fi

mkdir -p fuzz/logs
if [ "${targets[*]}" != python ]; then
    echo "== cargo fuzz build (targets: ${targets[*]}); log: fuzz/logs/build.log"
    if ! (cd fuzz && cargo fuzz build) >fuzz/logs/build.log 2>&1; then
        tail -30 fuzz/logs/build.log >&2
        exit 2
    fi
fi

# The Python API: the hypothesis properties over and over with fresh seeds until time is up.
fuzz_python() {
    local log=fuzz/logs/python.log deadline=$((SECONDS + SECONDS_PER_TARGET)) runs=0 status=0
    : >"$log"
    while [ "$SECONDS" -lt "$deadline" ]; do
        runs=$((runs + 1))
        echo "== run $runs" >>"$log"
        NEWSCLEAN_HYPOTHESIS_EXAMPLES="${FUZZ_PYTHON_EXAMPLES:-200}" "$PYTHON" -m pytest -q -p no:cacheprovider \
            tests/test_properties.py -k "not threads and not fork" \
            --hypothesis-seed="$RANDOM$RANDOM" --hypothesis-show-statistics >>"$log" 2>&1 || { status=$?; break; }
    done
    local execs
    execs="$(awk '/passing, .* failing/ {n += $2} END {print n + 0}' "$log")"
    local findings=0
    [ "$status" -ne 0 ] && findings=1
    summary+=("$(printf '%-8s %6ss %12s execs %6s runs         %3s findings (exit %s)' python "$SECONDS_PER_TARGET" "$execs" "$runs" "$findings" "$status")")
    if [ "$status" -ne 0 ]; then
        summary+=("         finding: see $log (hypothesis prints the failing example)")
        found=1
    fi
}
summary=()
found=0
for t in "${targets[@]}"; do
    if [ "$t" = python ]; then
        echo "== fuzz python for ${SECONDS_PER_TARGET}s; log: fuzz/logs/python.log"
        fuzz_python
        continue
    fi
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
