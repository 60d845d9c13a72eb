# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := storefront

.PHONY: run test install install-dev migrate demo translations bench lint clean emulator

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed setup.cfg
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo

run: migrate
	$(BIN)/flask demo-if-empty
	$(BIN)/python -m storefront.devserver --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

translations: install
	$(BIN)/flask translate update
	$(BIN)/flask translate compile

lint: install-dev
	$(BIN)/flake8 storefront tests bench

bench: install-dev
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) build *.egg-info
