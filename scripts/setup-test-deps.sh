#!/usr/bin/env bash
# Installs the Debian packages the full test suite needs (`npm test`, the e2e suites, the benchmarks);
# .ci/run runs it too, so this is the one list. Idempotent: installs only what is missing, with sudo
# when not run as root.
#
#   bash scripts/setup-test-deps.sh           # install what is missing
#   bash scripts/setup-test-deps.sh --list    # print the packages, one a line
#
# What the packages are for:
#   chromium                                       the UI (e2e) suites drive code-server in it
#   build-essential pkg-config libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev
#                                                  native modules of code-server (scripts/install-vscode-test-tools.sh)
#   python3 python3-numpy python3-sklearn python3-joblib python3-xgboost python3-torch python3-onnx python3-h5py
#                                                  the pickle oracle (test/unit/pickle) and the serving app's model adapters
#   python3-fastapi python3-uvicorn uvicorn python3-httptools python3-uvloop python3-prometheus-client
#   python3-redis python3-httpx redis-server       the generated serving app, run for real (test/unit/scaffold/appServer),
#                                                  with its Redis job queue
#   wrk                                            the serving benchmark's load
#   iproute2 procps                                ss and ps for the engine tests and start-engine.sh
# Not here: the Docker engine, registry and base image (`npm run setup:engine`), the kube lab
# (../shared/kube-lab/up.sh), kubectl 1.32 (scripts/install-kubectl.sh: Debian's 1.20 cannot render the overlays),
# helm (scripts/install-helm.sh) and code-server (scripts/install-vscode-test-tools.sh).
# `docker compose` (v2) is not packaged by Debian bookworm (only docker-compose 1.29, another CLI), so the one test
# that runs `docker compose config` skips, saying so, unless Docker's compose plugin is installed by other means.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(chromium build-essential pkg-config libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev
  python3 python3-numpy python3-sklearn python3-joblib python3-xgboost python3-torch python3-onnx python3-h5py
  python3-fastapi python3-uvicorn uvicorn python3-httptools python3-uvloop python3-prometheus-client python3-redis python3-httpx
  redis-server wrk iproute2 procps)

if [ "${1:-}" = --list ]; then printf '%s\n' "${PACKAGES[@]}"; exit 0; fi

say() { echo "setup-test-deps: $*"; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo DEBIAN_FRONTEND=noninteractive "$@"
  else say "ERROR: not root and no sudo; run this as root"; exit 1; fi
}

missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then say "all ${#PACKAGES[@]} packages are installed"; exit 0; fi
say "installing ${missing[*]}"
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || { say "ERROR: apt-get install failed"; exit 1; }
say "installed ${#missing[@]} packages"
