#!/usr/bin/env bash
# Installs what the test suite needs on top of install-deps.sh, idempotently: a virtual display,
# the WebKit WebDriver and tauri-driver for the GUI tests, the real shells the profile tests
# source (pwsh is not packaged by Debian; its tests are skipped with a note when absent), a
# Secret Service (gnome-keyring) and dnsmasq (a DNS server we did not write, for path.dns). The real
# Claude Code the tests drive is installed by install-deps.sh (the sandbox demo needs it too).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh xvfb xauth dbus-bin webkit2gtk-driver imagemagick x11-utils binutils zsh fish \
  gnome-keyring iproute2 util-linux dnsmasq-base

TAURI_DRIVER_VERSION=2.1.0
if ! command -v tauri-driver >/dev/null || ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  echo "==> installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
fi

# Microsoft's own Kusto parser, which checks every KQL query the usage source can send
# (crates/core/src/usage/kql.rs); pinned by tests/kql/package-lock.json.
KQL_VERSION=$(sed -n 's/.*"@kusto\/language-service-next": *"\([^"]*\)".*/\1/p' tests/kql/package.json)
if [ "$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' tests/kql/node_modules/@kusto/language-service-next/package.json 2>/dev/null | head -1)" != "$KQL_VERSION" ]; then
  echo "==> installing the Kusto parser $KQL_VERSION into tests/kql (for the KQL check)"
  npm ci --prefix tests/kql --no-audit --no-fund --loglevel=error
fi
