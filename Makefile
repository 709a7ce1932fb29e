# Developer entry points. Every target installs what it needs (scripts/setup.sh).
#   make test   - all tests against the real sops 3.11.0 (oracle in .venv)
#   make demo   - encrypt/decrypt examples/secrets.plaintext.yaml with the demo key
#   make bench  - sops-rs vs sops timings and peak RSS (needs hyperfine)
#   make release - the release binary (static PIE on Linux/glibc: scripts/build-release.sh)
#   make install - that binary into $(PREFIX)/bin (default ~/.cargo/bin)
#   make ci     - what CI runs (.ci/run)

CARGO ?= cargo
PREFIX ?= $(HOME)/.cargo

.PHONY: all setup test build release install lint fmt demo bench ci oracle clean-venv

all: build

setup:
	scripts/setup.sh

test:
	scripts/test.sh

build:
	$(CARGO) build

release:
	scripts/build-release.sh

install:
	install -D -m 755 "$$(scripts/build-release.sh)" "$(PREFIX)/bin/sops-rs"

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

demo:
	scripts/demo.sh

bench:
	benches/compare.sh

ci:
	bash .ci/run

oracle: setup
	@scripts/oracle-path.sh

clean-venv:
	rm -rf .venv
