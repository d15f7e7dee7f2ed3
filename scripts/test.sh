#!/usr/bin/env bash
# Run the whole suite: lint first (cheap), then pytest. Tests that need a display, a keyring
# or a server set those up themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check nemodesk tests benchmarks packaging scripts
.venv/bin/ruff format --check nemodesk tests benchmarks packaging scripts
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
