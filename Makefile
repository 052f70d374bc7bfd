# pycognito-opa: `make demo` and `make test` each bootstrap what is missing, then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OPA := .tools/bin/opa
REGAL := .tools/bin/regal
REGO_PATHS := rego bundles/data
COVERAGE_MIN := 95
# Per Rego test; OPA's default of 5 s fails tests spuriously on a busy 2-core machine.
REGO_TEST_TIMEOUT := 30s

.PHONY: help tools venv demo bench test fmt fmt-check check lint rego-test py-lint typecheck py-test wheel-check \
	typecheck bundle catalog clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

tools: ## build the pinned OPA, Regal and the distribution registry (for tests) into .tools/bin (once)
	@./scripts/install-tools.sh

$(VENV)/.installed: pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $@

venv: $(VENV)/.installed ## create .venv with the package (editable) and its test tools

demo: tools venv ## evaluate AWS's documented examples on a local OPA and print the table
	@$(VENV)/bin/pycognito-opa examples

bench: tools venv ## run the benchmark (benchmarks/) and write build/bench/ (see BENCHMARKS.md)
	@$(VENV)/bin/python -m benchmarks

bundle: tools venv ## build the default bundle into build/bundles/
	@$(VENV)/bin/pycognito-opa bundle build --out build/bundles/bundle.tar.gz

catalog: ## regenerate the action catalog and managed policies from their pinned sources
	@$(PYTHON) scripts/build_catalog.py

fmt: tools ## format the Rego files
	@$(OPA) fmt --write rego

fmt-check: tools
	@echo "== opa fmt"; $(OPA) fmt --list --fail rego

check: tools
	@echo "== opa check --strict"; $(OPA) check --strict $(REGO_PATHS)

lint: tools
	@echo "== regal lint"; $(REGAL) lint rego

rego-test: tools
	@echo "== opa test (coverage at least $(COVERAGE_MIN)%)"
	@$(OPA) test $(REGO_PATHS) --timeout $(REGO_TEST_TIMEOUT) --coverage --threshold $(COVERAGE_MIN) > build/rego-coverage.json \
	  || { $(OPA) test $(REGO_PATHS) --timeout $(REGO_TEST_TIMEOUT) -v | tail -n 40; $(PY) scripts/coverage_report.py build/rego-coverage.json; exit 1; }
	@$(OPA) test $(REGO_PATHS) --timeout $(REGO_TEST_TIMEOUT) | tail -n 1
	@$(PY) scripts/coverage_report.py build/rego-coverage.json

py-lint: venv
	@echo "== ruff"; $(VENV)/bin/ruff check pycognito_opa tests scripts benchmarks && $(VENV)/bin/ruff format --check pycognito_opa tests scripts benchmarks

py-test: venv tools
	@echo "== pytest"; $(VENV)/bin/pytest

wheel-check: tools ## build the sdist and wheel, install the wheel in its own venv, use it from outside
	@echo "== wheel check"; PYTHON=$(PYTHON) ./scripts/check-wheel.sh

typecheck: venv ## mypy --strict over the package
	@echo "== mypy --strict"; $(VENV)/bin/mypy --strict pycognito_opa

test: tools venv ## every check: opa fmt, opa check, regal lint, opa test + coverage, ruff, mypy, pytest, wheel
	@mkdir -p build
	@$(MAKE) --no-print-directory fmt-check check lint rego-test py-lint typecheck py-test wheel-check

clean: ## remove built bundles and caches (keeps .tools and .venv)
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis .mypy_cache
