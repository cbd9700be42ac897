#!/usr/bin/env bash
# Builds the base images the integration tests need, FROM NOTHING: no registry can be pulled from here, so a Debian
# bookworm rootfs is debootstrapped from the apt mirror, trimmed, and `docker import`ed.
#
#   bash scripts/docker/build-base-images.sh        # after scripts/docker/start-engine.sh
#
# Images (tags):
#   modelship-test/python-ml:3.11-bookworm   Python 3.11 + numpy/scipy/scikit-learn/joblib/fastapi/uvicorn/
#                                            prometheus-client/redis from Debian; pip + venv work offline.
#   modelship-test/python:3.11-slim          the same image under the name the tests pass to containerize as
#                                            --base-image (MODELSHIP_TEST_BASE_IMAGE in test-infra.env).
#   modelship-test/python-ml:3.11-bookworm-torch   only with MODELSHIP_BASE_IMAGE_TORCH=1: adds torch + xgboost.
#
# Only names under modelship-test/ are ever tagged: the machine's own python:3.11-slim, if it has one, is left
# as it is. (Versions before this one tagged python:3.11-slim; if `docker image inspect python:3.11-slim`
# shows the label org.modelship.base-key, that is the old stand-in, and `docker rmi python:3.11-slim` drops it.)
#
# Each image records what it provides in /etc/modelship-provides.txt (pip freeze format; feed it to the generator
# as `--base-provides @file`) and in the label org.modelship.base-provides (comma-separated).
#
# Cache: ${MODELSHIP_CACHE:-~/.cache/modelship}/base-images/<variant>-<key>.tar is the finished rootfs, debs/ the
# downloaded packages. <key> hashes the package list and the build recipe; the image's label org.modelship.base-key
# hashes that and the import step, and an image with the right key already in the engine skips everything.
#
# Environment (all optional):
#   MODELSHIP_CACHE              cache folder (default ~/.cache/modelship)
#   MODELSHIP_BASE_IMAGE_TORCH   1 to also build the torch/xgboost image
#   MODELSHIP_DEBIAN_MIRROR      default http://deb.debian.org/debian (security: ${mirror}-security)
#   MODELSHIP_BASE_IMAGE_REBUILD 1 to ignore the cache and rebuild from debootstrap
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
unset DOCKER_HOST DOCKER_CONTEXT
# shellcheck source=test-infra.env
. "$(dirname "$0")/test-infra.env"

SCRIPT_VERSION=1 # bump to force a rebuild everywhere (the keys below also hash the build functions themselves)
CACHE="${MODELSHIP_CACHE:-$HOME/.cache/modelship}"
WORKROOT="$CACHE/base-images"
DEBS="$CACHE/debs"
MIRROR="${MODELSHIP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
ARCH="$(dpkg --print-architecture)"
NAME=modelship-test/python-ml

BASE_PACKAGES=(python3 python3-venv python3-pip python-is-python3 python3-numpy python3-scipy python3-sklearn
  python3-joblib python3-fastapi python3-uvicorn uvicorn python3-httptools python3-uvloop python3-prometheus-client python3-redis ca-certificates)
TORCH_PACKAGES=("${BASE_PACKAGES[@]}" python3-xgboost python3-torch)

say() { echo "base-images: $*"; }
die() { echo "base-images: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no Docker engine answers; run scripts/docker/start-engine.sh first"
if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap"
  { apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }; } ||
    die "could not install debootstrap"
fi
mkdir -p "$WORKROOT" "$DEBS"

# One build at a time per cache (two CI jobs on one machine would otherwise debootstrap into the same folder).
exec 9>"$WORKROOT/.lock"
flock -w 3600 9 || die "could not lock $WORKROOT/.lock"

# The rootfs tarball is keyed by the package list and the functions that build it (bash's normalized text of them,
# so comments do not count); the image by that key and the function that imports it.
rootfs_key() { # rootfs_key VARIANT PACKAGES...
  { echo "v$SCRIPT_VERSION $SUITE $ARCH $MIRROR $*"; declare -f build_rootfs make_dummy_pythran; } | sha256sum | cut -c1-16
}
image_key_of() { # image_key_of ROOTFS_KEY
  { echo "$1"; declare -f import_image; } | sha256sum | cut -c1-16
}

image_key() { docker image inspect "$1" --format '{{index .Config.Labels "org.modelship.base-key"}}' 2>/dev/null || true; }

# --------------------------------------------------------------------------------------- mounts and cleanup
WORK=""
unmount_under() { # unmounts everything mounted at or below $1, deepest first
  local dir="$1" m
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  for m in $(awk -v d="$(readlink -f "$dir")" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "base-images: WARNING: could not unmount $m" >&2
  done
}
has_mounts_under() { awk -v d="$(readlink -f "$1")" '$2 == d || index($2, d "/") == 1 { f = 1 } END { exit !f }' /proc/mounts; }
cleanup() {
  local rc=$?
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    unmount_under "$WORK"
    if has_mounts_under "$WORK"; then
      echo "base-images: WARNING: mounts remain under $WORK; leaving it in place" >&2
    else
      rm -rf --one-file-system "$WORK"
    fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------------------------------- rootfs
# scipy in bookworm depends on python3-pythran (a compiler for scipy's *build*), which drags in gcc, g++, boost and
# the BLAS/Python headers (~600 MB). Nothing imports it at run time, so a dummy package satisfies the dependency and
# keeps dpkg/apt consistent inside the image.
make_dummy_pythran() { # make_dummy_pythran OUT.deb
  local d; d="$(mktemp -d "$WORK/dummy.XXXXXX")"
  mkdir -p "$d/DEBIAN"
  cat >"$d/DEBIAN/control" <<EOF
Package: python3-pythran
Version: 0.11.0+ds-7+modelship1
Architecture: all
Maintainer: Modelship test images <noreply@modelship.invalid>
Section: python
Priority: optional
Description: dummy: scipy's build-time compiler is not needed to run scipy
 Installed by scripts/docker/build-base-images.sh so python3-scipy installs without a C++ toolchain.
EOF
  dpkg-deb --root-owner-group -Zxz -b "$d" "$1" >/dev/null
  rm -rf "$d"
}

build_rootfs() { # build_rootfs VARIANT KEY OUT.tar PACKAGES...
  local variant="$1" key="$2" out="$3"; shift 3
  local rootfs t0=$SECONDS
  WORK="$WORKROOT/work-$variant-$key"
  unmount_under "$WORK"; has_mounts_under "$WORK" && die "stale mounts under $WORK"
  rm -rf --one-file-system "$WORK"
  mkdir -p "$WORK"
  rootfs="$WORK/rootfs"

  say "[$variant] debootstrap $SUITE minbase into $rootfs"
  debootstrap --variant=minbase --cache-dir="$DEBS" "$SUITE" "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2; die "debootstrap failed"; }
  unmount_under "$rootfs" # debootstrap unmounts proc/sys itself; be sure
  say "[$variant] debootstrap done in $((SECONDS - t0))s"

  # apt sources as on the host: point releases + security updates, so versions match a bookworm machine's.
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR}-security $SUITE-security main
EOF
  # No docs/man/locales from anything installed from now on (also applies inside the image later).
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-modelship-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"; chmod +x "$rootfs/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"

  make_dummy_pythran "$rootfs/tmp/python3-pythran-dummy.deb"
  chroot "$rootfs" dpkg -i /tmp/python3-pythran-dummy.deb >/dev/null
  chroot "$rootfs" apt-mark hold python3-pythran >/dev/null
  rm -f "$rootfs/tmp/python3-pythran-dummy.deb"

  # Reuse downloaded debs (hard links: same file system), and keep the new ones for next time.
  find "$DEBS" -maxdepth 1 -name '*.deb' -exec cp -l -t "$rootfs/var/cache/apt/archives/" {} + 2>/dev/null || true
  t0=$SECONDS
  say "[$variant] apt-get install ${*}"
  chroot "$rootfs" apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log" >&2; die "apt-get update in the rootfs failed"; }
  chroot "$rootfs" apt-get install -y -qq --no-install-recommends "$@" >>"$WORK/apt.log" 2>&1 ||
    { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install in the rootfs failed"; }
  find "$rootfs/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -ln -t "$DEBS/" {} + 2>/dev/null || true
  say "[$variant] packages installed in $((SECONDS - t0))s"

  # Behave like python:3.11-slim: `pip install` outside a venv is allowed (Debian marks its Python PEP 668
  # externally managed); pip lands packages in /usr/local/lib/python3.11/dist-packages.
  rm -f "$rootfs"/usr/lib/python3.*/EXTERNALLY-MANAGED
  # Debian's fastapi 0.92 keeps upstream's starlette<0.26 pin while Debian ships (and tests with) starlette 0.26.1:
  # with the pin `pip check` fails and pip would try to download an older starlette. Drop the upper bound.
  local meta
  for meta in "$rootfs"/usr/lib/python3/dist-packages/fastapi-*.dist-info/METADATA; do
    [ -f "$meta" ] && sed -i -E 's/^(Requires-Dist: starlette)[ ]*<[^,]*,[ ]*(>=[^ ;]*)/\1\2/' "$meta"
  done
  chroot "$rootfs" python3 -m pip check >"$WORK/pipcheck.log" 2>&1 || { cat "$WORK/pipcheck.log" >&2; die "pip check fails in the rootfs"; }

  # What the image provides, for the generator's baseProvides.
  {
    echo "# Python distributions provided by $NAME ($variant), from Debian $SUITE packages. pip freeze format."
    chroot "$rootfs" python3 -m pip list --format=freeze --disable-pip-version-check 2>/dev/null
  } >"$rootfs/etc/modelship-provides.txt"
  cat >"$rootfs/etc/modelship-image.txt" <<EOF
name=$NAME
variant=$variant
rootfs_key=$key
suite=$SUITE
built=$(date -u +%FT%TZ)
packages=$*
note=python3-pythran is a dummy package (scipy's build-time compiler; not needed at run time)
EOF

  # Trim: apt caches and lists, docs, man pages, locales, logs. Keep copyright files and python wheels (venv needs them).
  umount "$rootfs/proc" || umount -l "$rootfs/proc"
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  : >"$rootfs/etc/resolv.conf"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/archives/partial/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/lintian/* \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs"/debootstrap
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + 2>/dev/null || true
  find "$rootfs/var/log" -type f -exec truncate -s 0 {} + 2>/dev/null || true
  # Like Debian's official images: apt inside the image cleans its own downloads.
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  has_mounts_under "$rootfs" && die "mounts remain under $rootfs"

  say "[$variant] rootfs is $(du -sh --one-file-system "$rootfs" | cut -f1); writing $out"
  tar --numeric-owner --one-file-system -C "$rootfs" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  rm -rf --one-file-system "$WORK"
  WORK=""
}

# --------------------------------------------------------------------------------------- image
import_image() { # import_image VARIANT KEY TAR TAG
  local variant="$1" key="$2" tar="$3" tag="$4" provides
  provides="$(tar -xOf "$tar" ./etc/modelship-provides.txt | grep -v '^#' | paste -sd, -)"
  say "[$variant] docker import $tar -> $tag"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONUNBUFFERED=1' \
    --change 'CMD ["python3"]' \
    --change "LABEL org.modelship.base-key=$key" \
    --change "LABEL org.modelship.base-variant=$variant" \
    --change "LABEL org.modelship.base-provides=\"$provides\"" \
    --change "LABEL org.opencontainers.image.description=\"Debian $SUITE Python 3.11 ML test base built by modelship scripts/docker/build-base-images.sh\"" \
    -m "modelship test base image ($variant, key $key)" \
    "$tar" "$tag" >/dev/null
}

verify_image() { # verify_image TAG MODULES...: imports, pip check and an offline venv install, with no network
  local tag="$1"; shift
  local imports; imports="$(IFS=,; echo "$*")"
  docker run --rm --network none "$tag" sh -ec "
    python -c 'import $imports, sklearn; print(\"python\", __import__(\"sys\").version.split()[0], \"scikit-learn\", sklearn.__version__)'
    pip check --disable-pip-version-check
    python -m venv --system-site-packages /tmp/venv
    /tmp/venv/bin/pip install --disable-pip-version-check --no-cache-dir --no-index -q scikit-learn==1.2.1
  " | sed "s|^|base-images: [$tag] |" || die "verification of $tag failed"
}

ensure_variant() { # ensure_variant VARIANT TAG MODULES -- PACKAGES...
  local variant="$1" tag="$2" modules="$3"; shift 4
  local key rkey tar t0=$SECONDS
  rkey="$(rootfs_key "$variant" "$@")"
  key="$(image_key_of "$rkey")"
  tar="$WORKROOT/$variant-$rkey.tar"
  if [ "${MODELSHIP_BASE_IMAGE_REBUILD:-0}" != 1 ] && [ "$(image_key "$tag")" = "$key" ]; then
    say "[$variant] $tag is up to date (key $key)"
    return 0
  fi
  if [ "${MODELSHIP_BASE_IMAGE_REBUILD:-0}" = 1 ] || [ ! -s "$tar" ]; then
    build_rootfs "$variant" "$rkey" "$tar" "$@"
  else
    say "[$variant] using cached rootfs $tar"
  fi
  import_image "$variant" "$key" "$tar" "$tag"
  verify_image "$tag" $modules
  # Drop cached rootfs tarballs of older keys for this variant.
  find "$WORKROOT" -maxdepth 1 -name "$variant-*.tar" ! -name "$variant-$rkey.tar" -delete
  say "[$variant] $tag ready in $((SECONDS - t0))s ($(docker image inspect "$tag" --format '{{.Size}}' | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

T0=$SECONDS
ensure_variant base "$NAME:3.11-bookworm" "numpy,scipy,joblib,fastapi,starlette,uvicorn,prometheus_client,redis" -- "${BASE_PACKAGES[@]}"
# The name the tests build FROM (containerize --base-image); private, so no image of the machine's own is replaced.
case "$MODELSHIP_TEST_BASE_IMAGE" in modelship-test/*) ;; *) die "MODELSHIP_TEST_BASE_IMAGE ($MODELSHIP_TEST_BASE_IMAGE in test-infra.env) must be under modelship-test/" ;; esac
if [ "$(docker image inspect "$MODELSHIP_TEST_BASE_IMAGE" --format '{{.Id}}' 2>/dev/null)" != "$(docker image inspect "$NAME:3.11-bookworm" --format '{{.Id}}')" ]; then
  docker tag "$NAME:3.11-bookworm" "$MODELSHIP_TEST_BASE_IMAGE"
  say "tagged $MODELSHIP_TEST_BASE_IMAGE -> $NAME:3.11-bookworm"
fi
if [ "${MODELSHIP_BASE_IMAGE_TORCH:-0}" = 1 ]; then
  ensure_variant torch "$NAME:3.11-bookworm-torch" "numpy,sklearn,torch,xgboost,fastapi,uvicorn" -- "${TORCH_PACKAGES[@]}"
fi
docker image ls --format 'base-images: {{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' | grep -F ' modelship-test/' || true
say "done in $((SECONDS - T0))s"
