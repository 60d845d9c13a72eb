# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := storefront

.PHONY: run test install install-dev migrate demo translations compile-translations node-tools vendor bench fuzz lint clean

MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

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

# Compiled catalogues are committed; rebuilt here whenever a .po is newer.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -d translations -l $*

compile-translations: $(MO_FILES)

# axe-core for the browser tests and Lighthouse for the benches, pinned by package-lock.json.
# Skipped (browser tests then say why they skip) when npm is not on the machine.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm not found: browser tests will skip"; fi

node-tools: node_modules/.package-lock.json

# The studio's offline mode runs on two kept libraries, copied (built files + licence) into static/vendor/
# and committed, so the app never needs Node: idb (IndexedDB with promises, for the page) and Workbox
# (routing and caching strategies, for the service worker; its prod builds, never Google's CDN). Versions
# are pinned exactly in package.json / package-lock.json; `make vendor` re-copies them from node_modules.
WORKBOX_MODULES := workbox-core workbox-routing workbox-strategies
vendor: node-tools
	rm -rf static/vendor/idb static/vendor/workbox
	mkdir -p static/vendor/idb static/vendor/workbox
	cp node_modules/idb/build/umd.js node_modules/idb/LICENSE static/vendor/idb/
	cp node_modules/workbox-sw/build/workbox-sw.js static/vendor/workbox/
	cp node_modules/workbox-sw/LICENSE static/vendor/workbox/LICENSE
	for m in $(WORKBOX_MODULES); do cp node_modules/$$m/build/$$m.prod.js static/vendor/workbox/; done
	sed -i '/^\/\/# sourceMappingURL=/d' static/vendor/idb/umd.js static/vendor/workbox/*.js
	node -e 'for (const p of ["idb", "workbox-sw", $(foreach m,$(WORKBOX_MODULES),"$(m)",)]) console.log(p, require("./node_modules/" + p + "/package.json").version)' > static/vendor/VERSIONS

migrate: install compile-translations
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo

run: migrate
	$(BIN)/flask demo-if-empty
	$(BIN)/python -m storefront.devserver --port $(PORT)

# One pytest-xdist worker per core, a whole test file per worker (a browser module shares one live
# server); `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto

test: install-dev compile-translations node-tools
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

translations: install
	$(BIN)/flask translate update
	$(BIN)/flask translate compile

# Every route x every hostile value x method x identity x CSRF; exits 1 on any 5xx (bench/hostile.py).
fuzz: install-dev compile-translations
	$(BIN)/python -m bench.hostile

lint: install-dev
	$(BIN)/flake8 storefront devtools tests bench

bench: install-dev
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) build *.egg-info
