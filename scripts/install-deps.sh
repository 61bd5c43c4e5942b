#!/usr/bin/env bash
# Installs what building and running Foundry Onboard needs on Debian/Ubuntu, idempotently:
# the apt packages WebKitGTK/Tauri need, the UI's npm packages (the tauri CLI for `make package`
# among them), the built UI, and the real az and Claude Code the sandbox demo runs, cached outside
# the clone.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

BUILD_PACKAGES=(build-essential pkg-config file curl libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev)

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> installing apt packages: ${missing[*]}"
    if [ ! -f /var/lib/apt/periodic/update-success-stamp ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock || true)" ]; then
      $SUDO apt-get update -qq
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
  fi
}

if ! command -v apt-get >/dev/null; then
  echo "error: this script installs packages with apt-get (Debian/Ubuntu)." >&2
  echo "  help: install the equivalents of: ${BUILD_PACKAGES[*]} with your package manager, then run make build." >&2
  exit 1
fi
apt_install "${BUILD_PACKAGES[@]}" python3 python3-venv "$@"

if ! command -v cargo >/dev/null; then
  echo "error: cargo (Rust 1.89 or newer) is not installed." >&2
  echo "  help: install it with rustup (https://rustup.rs), open a new shell, and run this again." >&2
  exit 1
fi
# Node.js 20.19 or newer with npm (Vite 7 needs it). Debian 12's own nodejs is 18: installing it
# would only trade one error for another, so a missing or old Node.js is an error with a next step.
node_help() {
  echo "  help: install Node.js 20.19 or newer with npm (NodeSource: https://github.com/nodesource/distributions," >&2
  echo "        or nvm: nvm install 20), open a new shell, and run this again." >&2
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "error: Node.js and npm are not installed (the UI build needs Node.js 20.19 or newer)." >&2
  node_help
  exit 1
fi
NODE_VERSION="$(node -p 'process.versions.node')"
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "error: Node.js $NODE_VERSION is too old for the UI build (Vite 7 needs Node.js 20.19 or newer)." >&2
  node_help
  exit 1
fi

# npm packages: reinstall only when the lock file changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> installing the UI's npm packages"
  npm --prefix ui ci --no-audit --no-fund
fi
echo "==> building the UI"
npm --prefix ui run --silent build

# A current Azure CLI from PyPI for the sandbox's sign-in and the tests (Debian's own package,
# 2.45, is too old). `make run` points the app at it; a real tenant uses your own az.
AZ_VERSION=2.91.0
AZ_VENV="${HOME}/.cache/foundry-onboard-az"
if ! AZURE_CONFIG_DIR="$(mktemp -d)" "$AZ_VENV/bin/az" version -o json 2>/dev/null | grep -q "\"azure-cli\": \"$AZ_VERSION\""; then
  echo "==> installing azure-cli $AZ_VERSION into $AZ_VENV (once; about a minute)"
  python3 -m venv "$AZ_VENV"
  "$AZ_VENV/bin/pip" install --quiet --disable-pip-version-check "azure-cli==$AZ_VERSION"
fi

# The real Claude Code, pinned: the version the sandbox's Foundry stand-in is tested against.
# `make run` puts it on the app's PATH (a `claude` already on your PATH comes first), so the demo
# ends with the real client answering through the written profile; the tests drive it too.
CLAUDE_CODE_VERSION=2.1.331
CLAUDE_DIR="${HOME}/.cache/foundry-onboard-claude"
if [ "$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$CLAUDE_DIR/node_modules/@anthropic-ai/claude-code/package.json" 2>/dev/null | head -1)" != "$CLAUDE_CODE_VERSION" ]; then
  echo "==> installing Claude Code $CLAUDE_CODE_VERSION into $CLAUDE_DIR (once; about 400 MB)"
  mkdir -p "$CLAUDE_DIR"
  npm --prefix "$CLAUDE_DIR" install --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
fi
