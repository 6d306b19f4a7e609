# The two commands for a new user: `make run` and `make test` (see README.md).
# Both create the virtual environment in .venv if it is missing; it is
# reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test check data lab browse browser pdf-generators lint format bench bench-ocr bench-build \
        bench-batch bench-propose bench-publish bench-add bless clean-venv clean-cache

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); install it or run make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

## Build every processed table from data/raw (deterministic, atomic, incremental:
## only the stages whose inputs changed run; `python -m lib build --full` runs all).
data: $(STAMP)
	$(PY) -m lib build

## The main job: build the data, then the published pages: per theme one page over every
## year and area (outputs/jamforelse/), pages per year and area where there are figures
## (outputs/<year>/<area>/), the reports' lines (outputs/kallor/) and outputs/index.html.
run: data
	$(PY) -m lib batch --all-years

## The whole test suite (what CI runs): lint, the unit and process tests, then nbval over the
## committed notebooks; both pytest runs use the two cores (pytest-xdist, a file per worker).
## The tests read the processed tables, so the data is built first.
JOBS ?= 2
XDIST := -n $(JOBS) --dist loadfile
test: data browser pdf-generators lint
	$(PY) -m pytest $(XDIST)
	$(PY) -m pytest $(XDIST) --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg notebooks/

## The inner loop: lint and the tests that start no process (-m "not slow"), in under 45 s.
check: data lint
	$(PY) -m pytest $(XDIST) -m "not slow" -q

## Re-execute the committed notebooks with default parameters (after an intended change).
bless: data
	$(PY) -m lib batch --bless

## JupyterLab on the project's kernel (--allow-root only when run as root, e.g. in a container).
lab: $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name gbg-socialrapporter --display-name "Python (gbg-socialrapporter)"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $$(test "$$(id -u)" = 0 && echo --allow-root)

## Browse data/processed/rapporter.sqlite in Datasette on http://127.0.0.1:8001 (read-only;
## `make browse PORT=8002` for another port). Run `make data` (or `make run`) first.
PORT ?= 8001
browse: $(STAMP)
	$(PY) -m lib browse --port $(PORT)

## Headless Chromium for the browser test (tests/test_browse_chromium.py): installed with
## apt-get when missing and running as root on Debian/Ubuntu (a container, CI); otherwise
## that test is skipped and says why. In CI (CI=true) a browser that cannot be installed is
## an error.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser test (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	      >/dev/null) || { echo "note: chromium could not be installed; the browser test is skipped"; \
	      case "$$CI" in 1|true|yes) echo "error: in CI the browser test must run"; exit 1;; esac; }; \
	  else echo "note: chromium not found; the browser test is skipped"; fi; }

## LibreOffice (without its GUI) and Carlito (Calibri's metrics) for the tests and the benchmark
## that print real report text to PDF as Word-like documents (tests/test_pdf_generators.py,
## make bench-add): installed with apt-get when missing and running as root on Debian/Ubuntu
## (about 200 MB, under a minute with a Debian mirror); otherwise those tests are skipped and
## say why. In CI (CI=true) an install that fails is an error.
pdf-generators:
	@command -v soffice >/dev/null 2>&1 && fc-list | grep -q Carlito || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing libreoffice-writer-nogui and fonts-crosextra-carlito for the PDF tests (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libreoffice-writer-nogui fonts-crosextra-carlito >/dev/null) \
	      || { echo "note: LibreOffice could not be installed; its PDF tests are skipped"; \
	      case "$$CI" in 1|true|yes) echo "error: in CI the PDF tests must run"; exit 1;; esac; }; \
	  else echo "note: soffice or Carlito not found; LibreOffice PDF tests skip, Liberation Sans stands in"; fi; }

## Benchmarks (figures in docs/benchmarks.md): OCR repair accuracy and CPU, build wall time,
## notebook batch, proposing figures, database and full-text search, `add` of a 50-page PDF.
bench: bench-ocr bench-build bench-batch bench-propose bench-publish bench-add

bench-ocr: $(STAMP)
	$(PY) -m benchmarks.ocr

bench-build: $(STAMP)
	$(PY) -m benchmarks.build

bench-batch: data
	$(PY) -m benchmarks.batch

## Leave-one-report-out benchmark of `python -m lib propose` (figures in docs/benchmarks.md).
bench-propose: data
	$(PY) -m benchmarks.propose

## Database size, build cost and full-text query time (figures in docs/benchmarks.md).
bench-publish: data
	$(PY) -m benchmarks.publish

## `python -m lib add` of a 50-page PDF, and the PDF-library comparison (figures in docs/benchmarks.md).
bench-add: $(STAMP)
	$(PY) -m benchmarks.add --compare

## ruff: lint rules and formatting (ruff format --check), and mypy on lib/ (docs/development.md).
lint: $(STAMP)
	$(VENV)/bin/ruff check lib tests benchmarks
	$(VENV)/bin/ruff format --check lib tests benchmarks
	$(VENV)/bin/mypy lib

## Format the code in place (what `ruff format --check` in make lint expects).
format: $(STAMP)
	$(VENV)/bin/ruff format lib tests benchmarks

clean-venv:
	rm -rf $(VENV)

## The cache of derived artefacts (OCR lexicon, repaired texts, ...): always safe to delete.
clean-cache:
	rm -rf .cache
