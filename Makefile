# Two entry points, both doing their own set-up on a fresh machine with Python 3.11:
#   make demo   install unseen into .venv and anonymise the bundled sample photo
#   make test   install unseen with its test, verify and ray extras (+ exiftool, chromium, ffmpeg, strace) and run pytest
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test sysdeps lint bench clean

$(BIN)/unseen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.test-deps: $(BIN)/unseen pyproject.toml
	$(BIN)/pip install -q -e '.[test,verify,ray]'
	@touch $@

demo: $(BIN)/unseen
	$(BIN)/unseen samples/group.jpg --force
	@echo "wrote samples/group.unseen.jpg"

# exiftool (an independent metadata reader), Chromium (review-page tests) and strace (the Ray engine's
# loopback-only check) come from Debian.
sysdeps:
	@if ! command -v exiftool >/dev/null || ! command -v ffprobe >/dev/null || ! test -x /usr/bin/chromium \
	    || ! command -v strace >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libimage-exiftool-perl chromium strace >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null; \
	  else echo "note: install exiftool, ffmpeg (ffprobe), chromium and strace to run every test (tests needing them skip)"; fi; \
	fi

test: $(VENV)/.test-deps sysdeps
	$(BIN)/python -m pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) samples/*.unseen.*
