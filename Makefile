# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BUILD_VENV ?= .venv-model
BIN := $(VENV)/bin
MODEL_DIR ?= $(shell $(PYTHON) -c "import os,pathlib;print(pathlib.Path(os.environ.get('XDG_CACHE_HOME') or pathlib.Path.home()/'.cache')/'sourcetrace'/'minilm-l6-v2')")
export SOURCETRACE_MODEL_DIR := $(MODEL_DIR)

.PHONY: install model demo test lint bench quality clean chromium

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install -q -e ".[spark,web]" --group dev --group browser
	touch $@

install: $(VENV)/.installed

# The encoder is built once, in its own environment: torch is needed only to export the ONNX files, and the
# runtime stays lean (and fast to import) without it. torch comes first and pinned, so nothing pulls a CUDA build.
$(BUILD_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/python -m pip install -q --upgrade pip
	$(BUILD_VENV)/bin/python -m pip install -q "torch==2.13.0"
	$(BUILD_VENV)/bin/python -m pip install -q -e ".[model]"
	touch $@

# (the build environment is made only when the encoder has to be built, not on every run)
$(MODEL_DIR)/manifest.json:
	$(MAKE) $(BUILD_VENV)/.installed
	$(BUILD_VENV)/bin/python -m sourcetrace.model_build --out "$(MODEL_DIR)"

model: $(MODEL_DIR)/manifest.json

demo: install model
	$(BIN)/sourcetrace scan examples/seeds

# The browser tests drive Debian's chromium (Playwright's own browser download is not used); installing it needs root.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || (apt-get update && apt-get install -y chromium chromium-driver)

test: install model chromium
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install model
	$(BIN)/python bench/seeds_cold.py
	$(BIN)/python bench/throughput.py

# Every labelled data set in ../shared/data beside the baselines; rewrites docs/quality.md (minutes, not hours).
quality: install model
	$(BIN)/python bench/quality.py

clean:
	rm -rf $(VENV) $(BUILD_VENV) build dist src/*.egg-info
