# routesim: make run | make test | make lint | make help
VENV ?= .venv
SCENARIO ?= scenarios/baseline.toml
ARGS ?=
PYTEST_ARGS ?=

PY := $(VENV)/bin/python
STAMPS := $(VENV)/.make-stamps
INSTALL_STAMP := $(STAMPS)/install
TEST_STAMP := $(STAMPS)/install-test

.DEFAULT_GOAL := help
.PHONY: help venv install install-test run test lint ci clean

help: ## list the targets
	@echo "make run    [SCENARIO=scenarios/baseline.toml] [ARGS='--seed 1 --days 90']  set up, then run a scenario"
	@echo "make test   [PYTEST_ARGS=...]   set up with test extras, then run the fast tests (-m 'not slow')"
	@echo "make lint                       ruff check"
	@echo "make ci                         what CI runs (.ci/run): ruff, then the fast tests with warnings as errors"
	@echo "make install                    create $(VENV) with Python >= 3.12 and pip install -e ."
	@echo "make clean                      remove $(VENV), build files and caches (keeps runs/)"
	@echo "Python is found by scripts/find-python.sh (set PYTHON=/path/to/python3.12 to choose)."

# (Re)create the venv when it is missing or its Python is < 3.12.
venv:
	@if ! [ -x "$(PY)" ] || ! "$(PY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
		py="$$(scripts/find-python.sh)" || exit 1; \
		echo "creating $(VENV) with $$py"; \
		rm -rf "$(VENV)"; \
		"$$py" -m venv "$(VENV)" || exit 1; \
		"$(PY)" -m pip install --quiet --upgrade pip || exit 1; \
	fi

install: venv
	@$(MAKE) -s --no-print-directory $(INSTALL_STAMP)

install-test: venv
	@$(MAKE) -s --no-print-directory $(TEST_STAMP)

$(INSTALL_STAMP): pyproject.toml
	$(PY) -m pip install --quiet -e .
	@mkdir -p $(STAMPS) && touch $@

$(TEST_STAMP): pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@ $(INSTALL_STAMP)

run: install
	$(VENV)/bin/routesim run $(SCENARIO) $(ARGS)

test: install-test
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

ci:
	VENV=$(VENV) .ci/run $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
