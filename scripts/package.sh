#!/usr/bin/env bash
# Builds the release .deb with Tauri's bundler: the app, the CLI beside it in /usr/bin, the
# desktop entry and icons, the sample policy under /usr/share/doc/foundry-onboard/, and the
# runtime dependencies. Offline: nothing in the deb path downloads anything (the tauri CLI is the
# UI's npm devDependency; install-deps.sh installed it). Prints the package's path last.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
export CARGO_TARGET_DIR="$TARGET_DIR"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
ARCH="$(dpkg --print-architecture)"
TAURI="$ROOT/ui/node_modules/.bin/tauri"
if [ ! -x "$TAURI" ]; then
  echo "error: the tauri CLI is not installed ($TAURI)." >&2
  echo "  help: run scripts/install-deps.sh (make deps), then make package again." >&2
  exit 1
fi

echo "==> building the UI"
npm --prefix ui run --silent build
echo "==> building the CLI (release)"
cargo build --release --locked -p foundry-onboard
echo "==> building the app and the .deb (tauri build --bundles deb)"
# The CLI's path depends on the target dir, so it joins the bundle through a config merged at
# build time; the static part (sample policy, dependencies) is in src-tauri/tauri.conf.json.
MERGE="$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/foundry-onboard":"%s"}}}}}' "$TARGET_DIR/release/foundry-onboard")"
CARGO_NET_OFFLINE=true "$TAURI" build --ci --bundles deb --config "$MERGE" -- --locked

# Tauri names the file after the product ("Foundry Onboard_…"); hand it out under the package's name.
BUILT="$TARGET_DIR/release/bundle/deb/Foundry Onboard_${VERSION}_${ARCH}.deb"
OUT_DIR="$ROOT/dist"
OUT="$OUT_DIR/foundry-onboard_${VERSION}_${ARCH}.deb"
mkdir -p "$OUT_DIR"
cp -f "$BUILT" "$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
echo "==> $OUT"
dpkg-deb -f "$OUT" Package Version Architecture Depends
