#!/usr/bin/env bash
# The benchmarks (ratios, not pass/fail): installs azure-cli from PyPI into a venv for the
# `az version` comparison, builds release binaries, and runs tests/benches/startup.rs, then
# tests/benches/discovery.rs (discovery against a loopback ARM with 100 ms per call, and token
# single flight), then tests/benches/doctor.rs (the doctor's concurrency against its longest chain,
# a black-holed endpoint against the deadline, and a healthy `doctor --json` with the az token),
# tests/benches/usage.rs and tests/benches/usage_tab.rs (the Usage tab in the real window), then
# tests/benches/rollout.rs (the app with a full org policy beside the wizard without one: clicks and
# time to a verified profile, inside a loopback-only namespace).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh   # also installs azure-cli into ~/.cache/foundry-onboard-az
VENV="${HOME}/.cache/foundry-onboard-az"
npm --prefix ui run --silent build
cargo build --release --locked -p foundry-onboard -p foundry-onboard-gui
AZURE_CONFIG_DIR="$(mktemp -d)" AZ="$VENV/bin/az" AZURE_CORE_COLLECT_TELEMETRY=0 cargo bench --locked -p foundry-onboard-e2e --bench startup
cargo bench --locked -p foundry-onboard-e2e --bench discovery
cargo bench --locked -p foundry-onboard-e2e --bench doctor
cargo bench --locked -p foundry-onboard-e2e --bench usage
cargo bench --locked -p foundry-onboard-e2e --bench usage_tab
cargo bench --locked -p foundry-onboard-e2e --bench rollout
