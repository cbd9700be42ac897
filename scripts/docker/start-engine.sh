#!/usr/bin/env bash
# Starts a real Docker engine (and a local registry v2 on 127.0.0.1:5000) for the integration tests.
# Idempotent: a second run only checks that both answer and prints the engine version.
#
#   bash scripts/docker/start-engine.sh                        # as root: engine + registry
#   MODELSHIP_REGISTRY=0 bash scripts/docker/start-engine.sh   # engine only
#
# The registry: when nothing answers on its address, this starts Debian's docker-registry there. When something
# already answers, it is used only if it is provably a test registry: the docker-registry this script started
# (its config is under $MODELSHIP_CACHE/registry) or the kube lab's (../shared/kube-lab starts one on
# 127.0.0.1:5000 when nothing else serves there, and the cluster pulls from it: that sharing is deliberate).
# A test registry gets a mark the tests check before pushing: the repository in test-infra.env's
# MODELSHIP_TEST_REGISTRY_MARKER, tagged with this machine's id ($MODELSHIP_CACHE/registry/test-registry-id).
# Anything else answering there is left alone, unmarked, and the push tests skip saying so.
#
# Environment (all optional):
#   MODELSHIP_CACHE                  cache folder (default ~/.cache/modelship); the registry stores blobs under it
#   MODELSHIP_DOCKER_STORAGE_DRIVER  force a storage driver (overlay2, fuse-overlayfs, vfs); default: the fastest that works
#   MODELSHIP_DOCKER_DATA_ROOT       dockerd --data-root (default /var/lib/docker, so images survive between CI runs)
#   MODELSHIP_DOCKER_LOG             dockerd's log (default /var/log/modelship-dockerd.log)
#   MODELSHIP_DOCKER_START_TIMEOUT   seconds to wait for the engine to answer (default 90)
#   MODELSHIP_REGISTRY               0 to skip the registry
#   MODELSHIP_TEST_REGISTRY          registry address, host:port (default 127.0.0.1:5000); the tests read it too
#   KUBE_LAB                         the kube lab's state folder (default ~/.cache/kube-lab), to recognise its registry
#
# Only the engine on the default socket (unix:///var/run/docker.sock) is managed; DOCKER_HOST is ignored so the
# tests, which talk to that socket directly, see the same engine as the `docker` client.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
unset DOCKER_HOST DOCKER_CONTEXT
# shellcheck source=test-infra.env
. "$(dirname "$0")/test-infra.env"

CACHE="${MODELSHIP_CACHE:-$HOME/.cache/modelship}"
DATA_ROOT="${MODELSHIP_DOCKER_DATA_ROOT:-/var/lib/docker}"
LOG="${MODELSHIP_DOCKER_LOG:-/var/log/modelship-dockerd.log}"
TIMEOUT="${MODELSHIP_DOCKER_START_TIMEOUT:-90}"
SOCK=/var/run/docker.sock
PIDFILE=/var/run/docker.pid
REGISTRY_ADDR="${MODELSHIP_TEST_REGISTRY:-$MODELSHIP_TEST_REGISTRY_DEFAULT}"
REGISTRY_DIR="$CACHE/registry"
REGISTRY_ID_FILE="$REGISTRY_DIR/test-registry-id"
KUBE_LAB_DIR="${KUBE_LAB:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-lab}"
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
registry_code() {
  # The HTTP status of GET /v2/ on the registry address; 000 when nothing answers.
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$REGISTRY_ADDR/v2/" 2>/dev/null || true
}

registry_answers() { [ "$(registry_code)" = 200 ]; } # a registry v2 without auth

registry_id() {
  # This machine's test registry id (the marker's tag), created once.
  if [ ! -s "$REGISTRY_ID_FILE" ]; then
    mkdir -p "$REGISTRY_DIR"
    od -An -N8 -tx1 /dev/urandom | tr -d ' \n' >"$REGISTRY_ID_FILE.tmp"
    mv "$REGISTRY_ID_FILE.tmp" "$REGISTRY_ID_FILE"
  fi
  cat "$REGISTRY_ID_FILE"
}

SCHEMA2=application/vnd.docker.distribution.manifest.v2+json
marker_url() { echo "http://$REGISTRY_ADDR/v2/$MODELSHIP_TEST_REGISTRY_MARKER/manifests/$(registry_id)"; }
marker_present() { curl -sfI -o /dev/null --max-time 3 -H "Accept: $SCHEMA2" "$(marker_url)"; }

write_marker() {
  # Pushes the marker: an image manifest with no layers whose config names this machine's id.
  local id config digest location sep manifest
  id="$(registry_id)"
  config="{\"modelship-test-registry\":\"$id\",\"written-by\":\"scripts/docker/start-engine.sh\"}"
  digest="sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  location="$(curl -sf -X POST -D - -o /dev/null --max-time 10 "http://$REGISTRY_ADDR/v2/$MODELSHIP_TEST_REGISTRY_MARKER/blobs/uploads/" |
    awk 'tolower($1) == "location:" { print $2 }' | tr -d '\r')" || return 1
  [ -n "$location" ] || return 1
  case "$location" in http*) ;; *) location="http://$REGISTRY_ADDR$location" ;; esac
  case "$location" in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -o /dev/null -X PUT --max-time 10 -H 'Content-Type: application/octet-stream' --data-binary "$config" "$location${sep}digest=$digest" || return 1
  manifest="{\"schemaVersion\":2,\"mediaType\":\"$SCHEMA2\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":${#config},\"digest\":\"$digest\"},\"layers\":[]}"
  curl -sf -o /dev/null -X PUT --max-time 10 -H "Content-Type: $SCHEMA2" --data-binary "$manifest" "$(marker_url)"
}

registry_owner() {
  # Whose test registry listens on the registry's port: start-engine.sh's or the kube lab's (a docker-registry
  # serving their config file); fails for anything else, or when the listener cannot be seen.
  local port="${REGISTRY_ADDR##*:}" pid config
  local -a argv
  command -v ss >/dev/null 2>&1 || return 1
  pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  mapfile -d '' -t argv <"/proc/$pid/cmdline"
  [ ${#argv[@]} -ge 3 ] && [ "$(basename "${argv[0]}")" = docker-registry ] && [ "${argv[1]}" = serve ] || return 1
  config="$(readlink -f "${argv[2]}")"
  case "$config" in
    "$(readlink -f "$REGISTRY_DIR")"/config*.yml) echo "start-engine.sh's" ;;
    "$(readlink -f "$KUBE_LAB_DIR" 2>/dev/null || echo "$KUBE_LAB_DIR")"/etc/registry.yml) echo "the kube lab's" ;;
    *) return 1 ;;
  esac
}

adopt_registry() {
  # Marks the registry answering on the address when it is provably a test registry; otherwise leaves it alone.
  local owner
  if marker_present; then say "registry on $REGISTRY_ADDR is the test registry (marked)"; return 0; fi
  if owner="$(registry_owner)"; then
    write_marker || die "could not push the test registry mark to $(marker_url)"
    say "registry on $REGISTRY_ADDR is $owner: marked it as the test registry"
    return 0
  fi
  say "WARNING: something else answers on $REGISTRY_ADDR (GET /v2/ -> $(registry_code)); it is not a test registry, so it was left alone and the push tests will skip."
  say "  Stop it, or choose another address: MODELSHIP_TEST_REGISTRY=127.0.0.1:5001 npm run setup:engine (and export it for npm test)."
  REGISTRY_FOREIGN=1
}

ensure_registry() {
  [ "${MODELSHIP_REGISTRY:-1}" = 0 ] && return 0
  command -v curl >/dev/null 2>&1 || apt_install curl
  if [ "$(registry_code)" != 000 ]; then adopt_registry; return 0; fi
  command -v docker-registry >/dev/null 2>&1 || apt_install docker-registry
  # One config and store per address: the default keeps the names it always had.
  local slug="" config storage
  [ "$REGISTRY_ADDR" = "$MODELSHIP_TEST_REGISTRY_DEFAULT" ] || slug="-$(echo "$REGISTRY_ADDR" | tr -c 'A-Za-z0-9\n' '_')"
  config="$REGISTRY_DIR/config$slug.yml"
  storage="$REGISTRY_DIR/storage$slug"
  mkdir -p "$storage"
  cat >"$config" <<EOF
# Written by scripts/docker/start-engine.sh: a plain local registry for push tests (no auth, no TLS).
version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  say "starting docker-registry on $REGISTRY_ADDR (storage $storage, log $REGISTRY_LOG)"
  mkdir -p "$(dirname "$REGISTRY_LOG")"
  setsid nohup docker-registry serve "$config" </dev/null >>"$REGISTRY_LOG" 2>&1 &
  local pid=$!
  echo "$pid" >"$REGISTRY_DIR/registry$slug.pid"
  for _ in $(seq 1 30); do
    if registry_answers; then
      write_marker || die "could not push the test registry mark to $(marker_url)"
      return 0
    fi
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
if [ "${MODELSHIP_REGISTRY:-1}" != 0 ] && [ "${REGISTRY_FOREIGN:-0}" != 1 ]; then say "test registry http://$REGISTRY_ADDR/v2/ ok (mark $MODELSHIP_TEST_REGISTRY_MARKER:$(registry_id))"; fi
