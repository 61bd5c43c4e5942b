# Foundry Onboard — the two commands (see README.md):
#   make run    install what is missing, build both executables, open the app against the sandbox
#   make test   install what the tests need, build the .deb, and run every test layer
#   make package  build the release .deb (dist/foundry-onboard_VERSION_ARCH.deb) with Tauri's bundler
#   make fuzz   the fuzz-style property tests (they run in make test too, with few cases) at FUZZ_CASES each
.PHONY: run deps ui build package test test-deps test-rust test-ui bench fuzz clean-sandbox

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

# The project's az and Claude Code (scripts/install-deps.sh). Both go at the end of PATH too:
# Claude Code runs `az` itself for its Entra token. An `az` or `claude` already on PATH comes first.
run: deps build
	FOUNDRY_ONBOARD_AZ=$${FOUNDRY_ONBOARD_AZ:-$$HOME/.cache/foundry-onboard-az/bin/az} \
	PATH="$$PATH:$$HOME/.cache/foundry-onboard-claude/node_modules/.bin:$$HOME/.cache/foundry-onboard-az/bin" \
	$(TARGET_DIR)/debug/foundry-onboard --sandbox

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

deps:
	scripts/install-deps.sh

ui:
	npm --prefix ui run --silent build

build: ui
	$(CARGO) build --locked -p foundry-onboard -p foundry-onboard-gui

# The package test (tests/e2e/package.rs) unpacks the .deb this builds (release, incremental).
package: deps
	scripts/package.sh

test: test-deps build
	scripts/package.sh
	scripts/test.sh

test-deps:
	scripts/install-test-deps.sh

bench: deps build
	scripts/bench.sh

# Every parser of outside input has a `fuzz_…` property test; `make test` runs each with a few hundred
# cases, this runs them long (FUZZ_CASES generated inputs each, release build).
FUZZ_CASES ?= 5000
FUZZ_SHELL_CASES ?= 1000
fuzz: test-deps
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --locked --release -p foundry-onboard-core fuzz_ -- --test-threads=2
	# hostile values sourced by real bash, zsh and fish: six shells a case, so fewer cases
	PROPTEST_CASES=$(FUZZ_SHELL_CASES) $(CARGO) test --locked --release -p foundry-onboard-core finding_01_ -- --test-threads=2
	$(CARGO) build --locked --release -p foundry-onboard
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --locked --release -p foundry-onboard-e2e --test e2e fuzz_ -- --test-threads=2
