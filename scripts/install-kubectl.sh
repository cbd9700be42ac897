#!/usr/bin/env bash
# Installs a current `kubectl` (1.32, kustomize v5) for the render tests, which fail on any warning
# `kubectl kustomize` prints. Debian's kubectl is 1.20 (kustomize v2), which reads neither a folder
# in `resources` nor `patches`. Cached; prints the bin dir.
exec bash "$(dirname "$0")/install-from-kubectl-layer.sh" kubectl version --client
