#!/usr/bin/env bash
# Starts a real Docker engine (and a local registry v2 on 127.0.0.1:5000) for the integration tests.
# Idempotent: a second run only checks that both answer and prints the engine version.
#
#   sudo bash scripts/docker/start-engine.sh            # engine + registry
#   MODELSHIP_REGISTRY=0 bash scripts/docker/start-engine.sh   # engine only
#
# Environment (all optional):
#   MODELSHIP_CACHE                  cache folder (default ~/.cache/modelship); the registry stores blobs under it
#   MODELSHIP_DOCKER_STORAGE_DRIVER  force a storage driver (overlay2, fuse-overlayfs, vfs); default: the fastest that works
#   MODELSHIP_DOCKER_DATA_ROOT       dockerd --data-root (default /var/lib/docker, so images survive between CI runs)
#   MODELSHIP_DOCKER_LOG             dockerd's log (default /var/log/modelship-dockerd.log)
#   MODELSHIP_DOCKER_START_TIMEOUT   seconds to wait for the engine to answer (default 90)
#   MODELSHIP_REGISTRY               0 to skip the registry
#   MODELSHIP_REGISTRY_ADDR          registry listen address (default 127.0.0.1:5000)
#
# Only the engine on the default socket (unix:///var/run/docker.sock) is managed; DOCKER_HOST is ignored so the
# tests, which talk to that socket directly, see the same engine as the `docker` client.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
unset DOCKER_HOST DOCKER_CONTEXT

CACHE="${MODELSHIP_CACHE:-$HOME/.cache/modelship}"
DATA_ROOT="${MODELSHIP_DOCKER_DATA_ROOT:-/var/lib/docker}"
LOG="${MODELSHIP_DOCKER_LOG:-/var/log/modelship-dockerd.log}"
TIMEOUT="${MODELSHIP_DOCKER_START_TIMEOUT:-90}"
SOCK=/var/run/docker.sock
PIDFILE=/var/run/docker.pid
REGISTRY_ADDR="${MODELSHIP_REGISTRY_ADDR:-127.0.0.1:5000}"
REGISTRY_DIR="$CACHE/registry"
REGISTRY_LOG="${MODELSHIP_REGISTRY_LOG:-/var/log/modelship-registry.log}"

say() { echo "start-engine: $*"; }
die() { echo "start-engine: ERROR: $*" >&2; exit 1; }

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

apt_install() {
  # Installs the given packages, refreshing the package lists once if the first try fails (fresh machine).
  # docker.io's and docker-registry's postinst try to start their services (the packaged registry with auth on
  # :5000); a policy-rc.d keeps them from it while we install, since this script runs its own daemons.
  [ "$(id -u)" = 0 ] || die "need root to install $*"
  local policy_created=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_created=1; fi
  if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
    say "apt-get update"
    if apt-get update -qq >/dev/null; then
      apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=1
    else rc=1; fi
  fi
  [ $policy_created = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || die "apt-get install $* failed"
}

# ---------------------------------------------------------------------------------------------- client
# Debian's docker.io ships /usr/bin/docker (20.10). A newer client (e.g. Docker 28 in /usr/local/bin) also works: it
# negotiates the API down to the daemon's 1.41. If the first `docker` on PATH cannot talk to the daemon, fall back
# to Debian's client by putting /usr/bin first (checked after the engine is up).
ensure_packages() {
  local want=()
  command -v dockerd >/dev/null 2>&1 || want+=(docker.io)
  command -v docker >/dev/null 2>&1 || want+=(docker.io)
  if [ "${MODELSHIP_REGISTRY:-1}" != 0 ] && ! command -v docker-registry >/dev/null 2>&1; then want+=(docker-registry); fi
  [ ${#want[@]} -eq 0 ] && return 0
  mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
  say "installing ${want[*]}"
  apt_install "${want[@]}"
}

# ---------------------------------------------------------------------------------------------- storage driver
# overlay2 is by far the fastest; it fails when the data root itself sits on overlayfs (nested containers) or the
# kernel lacks overlay. Probe with a real overlay mount in the data root's file system before starting dockerd.
probe_overlay() {
  local d
  mkdir -p "$DATA_ROOT"
  d="$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX")" || return 1
  mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/merged"
  echo ok >"$d/lower/f"
  local ok=1
  if mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null; then
    # Write through the overlay (copy-up) and read it back: mounting alone is not proof.
    if echo changed >"$d/merged/f" 2>/dev/null && [ "$(cat "$d/upper/f" 2>/dev/null)" = changed ]; then ok=0; fi
    umount "$d/merged" 2>/dev/null || umount -l "$d/merged" 2>/dev/null || true
  fi
  rm -rf "$d"
  return $ok
}

candidate_drivers() {
  if [ -n "${MODELSHIP_DOCKER_STORAGE_DRIVER:-}" ]; then echo "$MODELSHIP_DOCKER_STORAGE_DRIVER"; return; fi
  if probe_overlay; then echo overlay2; else say "overlay mount probe failed in $DATA_ROOT; overlay2 is not usable" >&2; fi
  if [ -e /dev/fuse ]; then echo fuse-overlayfs; fi
  echo vfs
}

# ---------------------------------------------------------------------------------------------- dockerd
dockerd_pid() {
  # The pid of a live dockerd owning $PIDFILE, if any.
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/cmdline" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

wait_engine() {
  # wait_engine SECONDS [PID]: 0 once the engine answers; 1 on timeout or if PID died.
  local deadline=$((SECONDS + $1)) pid="${2:-}"
  while [ $SECONDS -lt $deadline ]; do
    engine_answers && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 1
  done
  return 1
}

stop_dockerd() {
  # Stops the dockerd we started (by pid) and waits for it and its managed containerd to go.
  local pid="$1"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

start_dockerd() {
  [ "$(id -u)" = 0 ] || die "the engine is not running and starting dockerd needs root"
  mkdir -p "$(dirname "$LOG")" "$DATA_ROOT"
  # Keep the log from growing without bound across CI runs on one machine.
  if [ -f "$LOG" ] && [ "$(stat -c %s "$LOG")" -gt $((50 * 1024 * 1024)) ]; then mv -f "$LOG" "$LOG.1"; fi
  local driver pid extra=()
  for driver in $(candidate_drivers); do
    if [ "$driver" = fuse-overlayfs ] && ! command -v fuse-overlayfs >/dev/null 2>&1; then
      apt_install fuse-overlayfs || continue
    fi
    say "starting dockerd (storage driver $driver, data root $DATA_ROOT, log $LOG)"
    {
      echo "===== $(date -u +%FT%TZ) start-engine: dockerd --storage-driver=$driver ${extra[*]:-}"
    } >>"$LOG"
    # setsid: the daemon survives this shell and CI's process group; stdin from /dev/null so it never holds a tty.
    setsid nohup dockerd --host="unix://$SOCK" --pidfile="$PIDFILE" --data-root="$DATA_ROOT" \
      --storage-driver="$driver" "${extra[@]}" </dev/null >>"$LOG" 2>&1 &
    pid=$!
    if wait_engine "$TIMEOUT" "$pid"; then return 0; fi
    say "dockerd with $driver did not come up; log tail:"
    grep -v "\[core\]" "$LOG" | tail -n 25 | sed "s/^/    /"
    stop_dockerd "$pid"
    # If iptables is what broke (no netfilter in this kernel), retry the same driver without it once.
    if [ ${#extra[@]} -eq 0 ] && tail -n 40 "$LOG" | grep -qiE 'iptables|nf_tables|netfilter'; then
      say "retrying without iptables management"
      extra=(--iptables=false --ip-masq=false)
      setsid nohup dockerd --host="unix://$SOCK" --pidfile="$PIDFILE" --data-root="$DATA_ROOT" \
        --storage-driver="$driver" "${extra[@]}" </dev/null >>"$LOG" 2>&1 &
      pid=$!
      if wait_engine "$TIMEOUT" "$pid"; then return 0; fi
      grep -v "\[core\]" "$LOG" | tail -n 25 | sed "s/^/    /"
      stop_dockerd "$pid"
    fi
  done
  die "no storage driver worked; dockerd's log is $LOG"
}

ensure_engine() {
  if engine_answers; then say "engine already running"; return 0; fi
  ensure_packages
  local pid
  if pid="$(dockerd_pid)"; then
    # A dockerd is up but not answering yet (still starting, or another run started it moments ago): wait for it.
    say "dockerd (pid $pid) is running but not answering yet; waiting up to ${TIMEOUT}s"
    wait_engine "$TIMEOUT" "$pid" && return 0
    tail -n 40 "$LOG" 2>/dev/null | sed 's/^/    /'
    die "dockerd (pid $pid) did not answer within ${TIMEOUT}s; see $LOG (not killing a daemon this script did not start)"
  fi
  start_dockerd
}

# ---------------------------------------------------------------------------------------------- registry
registry_answers() {
  # Registry v2 answers GET /v2/ with 200 (no auth configured).
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$REGISTRY_ADDR/v2/" 2>/dev/null || true)"
  [ "$code" = 200 ]
}

ensure_registry() {
  [ "${MODELSHIP_REGISTRY:-1}" = 0 ] && return 0
  command -v curl >/dev/null 2>&1 || apt_install curl
  if registry_answers; then say "registry already answering on $REGISTRY_ADDR"; return 0; fi
  command -v docker-registry >/dev/null 2>&1 || apt_install docker-registry
  mkdir -p "$REGISTRY_DIR/storage"
  local config="$REGISTRY_DIR/config.yml"
  cat >"$config" <<EOF
# Written by scripts/docker/start-engine.sh: a plain local registry for push tests (no auth, no TLS).
version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  say "starting docker-registry on $REGISTRY_ADDR (storage $REGISTRY_DIR/storage, log $REGISTRY_LOG)"
  mkdir -p "$(dirname "$REGISTRY_LOG")"
  setsid nohup docker-registry serve "$config" </dev/null >>"$REGISTRY_LOG" 2>&1 &
  local pid=$!
  echo "$pid" >"$REGISTRY_DIR/registry.pid"
  for _ in $(seq 1 30); do
    registry_answers && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 20 "$REGISTRY_LOG" | sed 's/^/    /'
  kill "$pid" 2>/dev/null || true
  die "docker-registry did not answer on http://$REGISTRY_ADDR/v2/ (log $REGISTRY_LOG)"
}

# ---------------------------------------------------------------------------------------------- main
ensure_engine

# The client: keep the first `docker` on PATH if it can talk to the daemon, else use Debian's.
if ! docker info >/dev/null 2>&1; then
  if [ -x /usr/bin/docker ] && /usr/bin/docker info >/dev/null 2>&1; then
    say "WARNING: $(command -v docker) cannot talk to the daemon; use /usr/bin/docker (put /usr/bin first on PATH)"
  else
    die "the engine started but 'docker info' fails: $(docker info 2>&1 | tail -n 3)"
  fi
fi

ensure_registry

docker version --format 'start-engine: engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}} (API {{.Client.APIVersion}})'
docker info --format 'start-engine: storage driver {{.Driver}}, cgroup driver {{.CgroupDriver}} v{{.CgroupVersion}}, data root {{.DockerRootDir}}'
[ "${MODELSHIP_REGISTRY:-1}" = 0 ] || say "registry http://$REGISTRY_ADDR/v2/ ok"
