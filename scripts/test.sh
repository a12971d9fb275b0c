#!/usr/bin/env bash
# Runs every test: the plain-Rust core (cargo test, no Python feature), then the Python package
# (built by maturin and installed editable with its test extra) under pytest. Works from any
# directory. Both suites run even when the first fails; the exit status is non-zero when either
# failed, or when pytest collected no tests (its exit status 5). Extra arguments go to pytest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"

echo "== cargo test (core, no python feature)"
cargo_status=0
cargo test --no-fail-fast || cargo_status=$?

echo "== pip install -e '.[test]'"
"$PYTHON" -m pip install -q -e '.[test]'

echo "== pytest"
pytest_status=0
"$PYTHON" -m pytest -q "$@" || pytest_status=$?
if [ "$pytest_status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
fi

if [ "$cargo_status" -ne 0 ] || [ "$pytest_status" -ne 0 ]; then
    echo "FAILED: cargo test exit $cargo_status, pytest exit $pytest_status" >&2
    exit 1
fi
# Success prints nothing more: pytest's summary stays the last line of the output.
