#!/usr/bin/env bash
# Installs what the test suite needs on top of install-deps.sh, idempotently: a virtual display,
# the WebKit WebDriver and tauri-driver for the GUI tests, and the real shells the profile
# tests source (pwsh is not packaged by Debian; its tests are skipped with a note when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh xvfb xauth dbus-bin webkit2gtk-driver imagemagick x11-utils binutils zsh fish

TAURI_DRIVER_VERSION=2.1.0
if ! command -v tauri-driver >/dev/null || ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  echo "==> installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
fi
