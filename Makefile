# Developer entry points. Every target installs what it needs (scripts/setup.sh).
#   make test   - all tests against the real sops 3.11.0 (oracle in .venv)
#   make demo   - encrypt/decrypt examples/secrets.plaintext.yaml with the demo key
#   make bench  - sops-rs vs sops timings and peak RSS (needs hyperfine)
#   make ci     - what CI runs (.ci/run)

CARGO ?= cargo

.PHONY: all setup test build release lint fmt demo bench ci oracle clean-venv

all: build

setup:
	scripts/setup.sh

test:
	scripts/test.sh

build:
	$(CARGO) build

release:
	$(CARGO) build --release

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
