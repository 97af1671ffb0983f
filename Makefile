# One venv, created once; the stamp file makes a second `make test` skip the install.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export DVC_NO_ANALYTICS := 1

.PHONY: venv test test-fast demo bench lint clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# constraints.txt pins the CPU torch wheel: pyproject's torch range left open resolves to a CUDA build.
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

test: venv
	$(BIN)/python -m pytest -q

# Everything but the whole-pipeline tests (pytest -m pipeline): the quick check while editing.
test-fast: venv
	$(BIN)/python -m pytest -q -m "not pipeline"

lint: venv
	$(BIN)/ruff check .

demo: venv
	$(BIN)/ouro demo

bench: venv
	for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) lake runs .pytest_cache
