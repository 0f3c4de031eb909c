# One project, four services. `make run` and `make test` work on a fresh clone with only
# Python 3.11 and make: they build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (0 = one process). Modules stay whole on one worker
# (--dist loadscope), so a module's running stack or browser is started once.
TEST_WORKERS ?= 2

.PHONY: install run gateway secrets test test-sqlite test-postgres lint bench bench-chart soak clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Start the four services in the foreground (Ctrl-C stops them all).
run: $(STAMP)
	exec $(PY) -m shared.runner

## The compose gateway (nginx, deploy/nginx.conf.template) in front of `make run`, on :8090
## (`make run` serves the console and the four prefixes on :8080 itself).
GATEWAY_PORT ?= 8090
gateway: $(STAMP)
	$(PY) deploy/render_gateway.py --standalone --prefix var/gateway -o var/gateway/nginx.conf \
		--set GATEWAY_PORT=$(GATEWAY_PORT)
	exec nginx -c $(CURDIR)/var/gateway/nginx.conf -p $(CURDIR)/var/gateway \
		-g 'daemon off; pid $(CURDIR)/var/gateway/nginx.pid;'

## `.env` for docker compose: every secret fresh and random, mode 0600 (never overwrites
## an existing file unless FORCE=1). The shipped .env.example holds no usable secret.
ENV_FILE ?= .env
secrets:
	$(PYTHON) deploy/make_secrets.py --output $(ENV_FILE) $(if $(FORCE),--force)

## The whole suite, once on SQLite and once on a throwaway PostgreSQL server.
test: $(STAMP)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	HR_TEST_STORE=sqlite $(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

test-postgres: $(STAMP)
	HR_TEST_STORE=postgres $(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

## Every row on a throwaway PostgreSQL (HR_BENCH_STORE=sqlite for the quick store).
HR_BENCH_STORE ?= postgres
bench: $(STAMP)
	$(PY) -m bench --store $(HR_BENCH_STORE)

## Draw the newest bench run (bench/results/*.json) as a PNG beside it.
bench-chart: $(STAMP)
	$(PY) -m bench.chart

## 200 clients × 2 minutes of mixed traffic against all four services on PostgreSQL; fails on
## any 5xx, lost write, unreconciled balance or growing memory (bench/soak.py).
soak: $(STAMP)
	$(PY) -m bench.soak

clean:
	rm -rf var .pytest_cache
