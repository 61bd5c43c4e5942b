#!/usr/bin/env bash
# The startup benchmarks (ratios, not pass/fail): installs azure-cli from PyPI into a venv for
# the `az version` comparison, builds release binaries, and runs tests/benches/startup.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${HOME}/.cache/foundry-onboard-bench/az-venv"
if [ ! -x "$VENV/bin/az" ]; then
  echo "==> installing azure-cli into $VENV (once; a few minutes)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check azure-cli
fi
scripts/install-test-deps.sh
npm --prefix ui run --silent build
cargo build --release --locked -p foundry-onboard -p foundry-onboard-gui
AZURE_CONFIG_DIR="$(mktemp -d)" AZ="$VENV/bin/az" AZURE_CORE_COLLECT_TELEMETRY=0 cargo bench --locked -p foundry-onboard-e2e --bench startup
