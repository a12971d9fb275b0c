#!/usr/bin/env bash
# Runs every test: the plain-Rust core (cargo test, no Python feature: unit tests and the
# proptest properties; the unit tests once more in release), a short run of every cargo-fuzz target (scripts/fuzz.sh,
# NEWSCLEAN_FUZZ_SECONDS a target, default 20; 0 skips it), then the Python package (built by
# maturin and installed editable with its test extra) under pytest, hypothesis properties
# included. Works from any directory. Every suite runs even when an earlier one fails; the exit
# status is non-zero when any failed, or when pytest collected no tests (its exit status 5).
# Extra arguments go to pytest.
#
# cargo-fuzz is installed into fuzz/tools (not committed, not ~/.cargo) when it is not on the
# PATH: a few minutes the first time, with a C++ compiler and crates.io at hand.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"

echo "== cargo test (core, no python feature)"
cargo_status=0
cargo test --no-fail-fast || cargo_status=$?
# The unit tests again as the wheel is built (optimised, no overflow checks): the unsafe code
# (the Arrow reader, the SIMD scans) must hold there too, where undefined behaviour shows.
echo "== cargo test --release --lib (the core's unit tests, optimised)"
cargo test --release --lib --no-fail-fast || cargo_status=$?

fuzz_status=0
FUZZ_SECONDS="${NEWSCLEAN_FUZZ_SECONDS:-20}"
if [ "$FUZZ_SECONDS" -gt 0 ]; then
    echo "== short fuzz: every cargo-fuzz target for ${FUZZ_SECONDS}s"
    export PATH="$PWD/fuzz/tools/bin:$PATH"
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "== cargo install cargo-fuzz (into fuzz/tools)"
        cargo install --locked --quiet --root fuzz/tools cargo-fuzz || fuzz_status=$?
    fi
    if [ "$fuzz_status" -eq 0 ]; then
        bash scripts/fuzz.sh "$FUZZ_SECONDS" || fuzz_status=$?
    fi
fi

echo "== pip install -e '.[test]'"
"$PYTHON" -m pip install -q -e '.[test]'

echo "== pytest"
pytest_status=0
"$PYTHON" -m pytest -q "$@" || pytest_status=$?
if [ "$pytest_status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
fi

if [ "$cargo_status" -ne 0 ] || [ "$fuzz_status" -ne 0 ] || [ "$pytest_status" -ne 0 ]; then
    echo "FAILED: cargo test exit $cargo_status, fuzz exit $fuzz_status, pytest exit $pytest_status" >&2
    exit 1
fi
# Success prints nothing more: pytest's summary stays the last line of the output.
