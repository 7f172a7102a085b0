# Everyday commands. `make run` needs nothing but Python 3.11: see docs/local-stack.md.
VENV ?= .venv
PYTHON ?= python3.11
VENV_PY := $(VENV)/bin/python

# The venv is rebuilt only when a package's declared dependencies or the pins change.
CONSTRAINTS := $(wildcard constraints.txt)
PACKAGE_FILES := libs/servicekit/pyproject.toml libs/servicekit-testing/pyproject.toml \
                 $(wildcard services/*/pyproject.toml)
# servicekit-testing (pytest fixtures) is for this venv only; the images never install it.
EDITABLES := -e libs/servicekit -e libs/servicekit-testing -e services/identity \
             -e services/notes -e services/docportal -e services/audit
STAMP := $(VENV)/.installed

.PHONY: venv run run-real demo test lint bench load clean

venv: $(STAMP)

$(STAMP): requirements-dev.txt $(PACKAGE_FILES) $(CONSTRAINTS)
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) \
		-r requirements-dev.txt $(EDITABLES)
	touch $@

run: venv
	$(VENV_PY) deploy/local/launch.py $(ARGS)

run-real: venv
	$(VENV_PY) deploy/local/launch.py --real $(ARGS)

# Walks the main story in a new demo practice of the running platform (`make run` elsewhere).
demo: venv
	$(VENV_PY) deploy/local/demo.py $(ARGS)

test: venv
	$(VENV_PY) -m pytest $(ARGS)

# ruff, then mypy with pyproject.toml's settings (CI runs the same check: tests/lint).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: venv
	$(VENV_PY) bench/events.py

# Starts its own stack (ports 8080, 8001-8004 free); ARGS="--real" for PostgreSQL + RabbitMQ.
load: venv
	$(VENV_PY) bench/load.py $(ARGS)

clean:
	rm -rf .local
