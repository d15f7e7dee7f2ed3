# NemoDesk: `make run` opens the app, `make test` runs every test (both set up first).
.PHONY: setup run test bench lint format package

PY := .venv/bin/python

setup:
	@bash scripts/setup.sh

run: setup
	@.venv/bin/nemodesk

test: setup
	@bash scripts/test.sh

bench: setup
	@$(PY) -m benchmarks.run

lint: setup
	@bash scripts/lint.sh

format: setup
	@.venv/bin/ruff format nemodesk tests benchmarks packaging scripts
	@.venv/bin/ruff check --fix nemodesk tests benchmarks packaging scripts

package: setup
	@bash scripts/package.sh
