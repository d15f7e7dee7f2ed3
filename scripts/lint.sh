#!/usr/bin/env bash
# `make lint`: ruff (style and common bugs), then import-linter (the layers and the engine's
# rooms, as contracts in pyproject.toml's [tool.importlinter]). tests/test_layers.py runs the
# same contracts one by one and also checks that no import cycle is left.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check nemodesk tests benchmarks packaging scripts
.venv/bin/ruff format --check nemodesk tests benchmarks packaging scripts
.venv/bin/lint-imports --no-cache --no-logo
