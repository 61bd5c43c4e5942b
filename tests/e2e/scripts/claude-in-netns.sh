#!/usr/bin/env bash
# Runs the real Claude Code against the sandbox, as a user would after `profile write`:
# inside a network namespace with only loopback (`unshare -n -m`, started by the test), with a
# private /etc/hosts for the sandbox's resource name, the test's own keyring session for the API
# key (DBUS_SESSION_BUS_ADDRESS: a private bus and an unlocked gnome-keyring in a temporary HOME,
# started and stopped by the test with tests/src/keyring.rs), and a bash that sources the written
# profile. Every process here gets HOME and every XDG dir under WORK.
# Usage: claude-in-netns.sh CLI CLAUDE_DIR WORK MODE [AZ]   (MODE: api-key | gateway | resource | entra)
set -euo pipefail
CLI=$1 CLAUDE_DIR=$2 WORK=$3 MODE=$4 AZ=${5:-}
: "${DBUS_SESSION_BUS_ADDRESS:?the test passes the bus of its keyring session (tests/src/keyring.rs)}"
ip link set lo up
printf '127.0.0.1 localhost\n127.0.0.1 sandbox-ai.services.ai.azure.com\n' > "$WORK/hosts"
mount --bind "$WORK/hosts" /etc/hosts

export HOME="$WORK/user" XDG_CONFIG_HOME="$WORK/user/.config" XDG_DATA_HOME="$WORK/user/.local/share"
export XDG_STATE_HOME="$WORK/user/.local/state" XDG_CACHE_HOME="$WORK/user/.cache" XDG_RUNTIME_DIR="$WORK/user/.run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset FOUNDRY_ONBOARD_CONFIG GNOME_KEYRING_CONTROL SSH_AUTH_SOCK HTTPS_PROXY HTTP_PROXY ALL_PROXY https_proxy http_proxy all_proxy
export FOUNDRY_ONBOARD_POLICY="$WORK/no-policy.toml"

SANDBOX_ARGS=()
[ "$MODE" = resource ] && SANDBOX_ARGS=(--foundry-port 443)
[ "$MODE" = entra ] && SANDBOX_ARGS=(--approve-after-ms 300)
"$CLI" sandbox --write-config "$WORK/sb.toml" --dir "$WORK/sb" "${SANDBOX_ARGS[@]}" > "$WORK/endpoints.json" 2> "$WORK/sandbox.err" &
SB=$!
trap 'kill $SB 2>/dev/null; wait $SB 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q '^}' "$WORK/endpoints.json" 2>/dev/null && break; sleep 0.05; done

case "$MODE" in
  api-key)
    tr -d '\n' < "$WORK/sb/foundry-api-key" | "$CLI" --config "$WORK/sb.toml" secret set foundry-api-key
    "$CLI" --config "$WORK/sb.toml" --json profile write --shell bash --api-key > "$WORK/profile.json"
    ;;
  gateway)
    tr -d '\n' < "$WORK/sb/gateway-key" | "$CLI" --config "$WORK/sb.toml" secret set gateway-key
    GW=$(sed -n 's/.*"gatewayUrl": *"\([^"]*\)".*/\1/p' "$WORK/endpoints.json")
    "$CLI" --config "$WORK/sb.toml" --json profile write --shell bash --gateway --base-url "$GW/anthropic" > "$WORK/profile.json"
    ;;
  resource)
    # ANTHROPIC_FOUNDRY_RESOURCE: Claude Code builds https://sandbox-ai.services.ai.azure.com/anthropic
    # itself (port 443, the hosts entry above, the sandbox CA through NODE_EXTRA_CA_CERTS).
    # A sandbox keeps its loopback base URL when a resource is chosen (the wizard's demo must work
    # without a hosts entry), so this config names the resource itself, as a real tenant's would.
    sed -i 's|^base_url = .*|resource = "sandbox-ai"|' "$WORK/sb.toml"
    tr -d '\n' < "$WORK/sb/foundry-api-key" | "$CLI" --config "$WORK/sb.toml" secret set foundry-api-key --no-verify
    "$CLI" --config "$WORK/sb.toml" --json profile write --shell bash --api-key > "$WORK/profile.json"
    ;;
  entra)
    # The real az signs in to the sandbox (device code approved by the sandbox), in the sandbox's
    # own AZURE_CONFIG_DIR; the profile exports that dir, so Claude Code's own `az` call finds it.
    FOUNDRY_ONBOARD_AZ="$AZ" "$CLI" --config "$WORK/sb.toml" login --device-code > "$WORK/login.out" 2>&1
    "$CLI" --config "$WORK/sb.toml" --json profile write --shell bash > "$WORK/profile.json"
    ;;
esac

# A new terminal: bash reads ~/.bashrc (the sandbox's home), then the real client runs once.
AZ_DIR=$(dirname "${AZ:-/nonexistent/az}")
HOME="$WORK/sb/home" PATH="$CLAUDE_DIR:$AZ_DIR:$PATH" \
  DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 \
  timeout 60 bash -ic 'CLAUDE_CODE_MAX_RETRIES=0 claude -p ping --output-format json' > "$WORK/claude.json" 2> "$WORK/claude.err" || true
