#!/usr/bin/env bash
# Make a Docker engine answer and build the base images Capstan's tests and examples use.
#
# Idempotent: every step checks first and does nothing when its result is already there.
#   1. If no Docker API answers at DOCKER_HOST (unix:// or tcp://) or /var/run/docker.sock,
#      and we are root on Debian, install docker.io busybox-static debootstrap with apt and
#      start dockerd in the background, then wait for GET /_ping to answer OK.
#   2. Build, when missing:
#        busybox:latest   from Debian's busybox-static (docker import, ENV PATH=/bin)
#        debian:bookworm  from debootstrap --variant=minbase
# Elsewhere (not root, not Debian) it says what is missing and exits 1.
set -euo pipefail

log() { printf 'engine.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

socket=/var/run/docker.sock
host=${DOCKER_HOST:-}

ping() {
  case "$host" in
    tcp://*) curl -sf --max-time 2 "http://${host#tcp://}/_ping" >/dev/null 2>&1 ;;
    unix://*) curl -sf --max-time 2 --unix-socket "${host#unix://}" http://d/_ping >/dev/null 2>&1 ;;
    "") curl -sf --max-time 2 --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

is_root_debian() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

# install PKG... with apt (root on Debian only), once per run.
apt_updated=
install() {
  is_root_debian || die "missing: $* (install them, or start a Docker engine and set DOCKER_HOST)"
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$apt_updated" ] || { apt-get update -qq >/dev/null; apt_updated=1; }
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v curl >/dev/null || install curl
if ! ping; then
  [ -n "$host" ] && [ "${host#unix://}" = "$host" ] && die "no Docker API answers at DOCKER_HOST=$host"
  command -v dockerd >/dev/null || install docker.io
fi

if ! ping; then
  is_root_debian || die "no Docker engine answers at $socket and we cannot start one (not root on Debian)"
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/capstan-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do ping && break; sleep 0.5; done
  ping || { tail -20 /var/log/capstan-dockerd.log >&2 || true; die "dockerd did not answer /_ping within 60 s"; }
fi
log "engine answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo ok)"

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

if ! has_image busybox:latest; then
  # The static build: the image has no libc (Debian's plain busybox package is dynamic).
  dpkg -s busybox-static >/dev/null 2>&1 || install busybox-static
  log "building busybox:latest from busybox-static"
  bb=/bin/busybox
  tmp=$(mktemp -d)
  mkdir -p "$tmp/bin" "$tmp/tmp" "$tmp/etc" "$tmp/root"
  cp "$bb" "$tmp/bin/busybox"
  for applet in $("$tmp/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
  chmod 1777 "$tmp/tmp"
  tar -C "$tmp" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - busybox:latest >/dev/null
  rm -rf "$tmp"
fi

if ! has_image debian:bookworm; then
  command -v debootstrap >/dev/null || install debootstrap
  log "building debian:bookworm with debootstrap (about 25 s)"
  tmp=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$tmp" http://deb.debian.org/debian >/dev/null
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  tar -C "$tmp" -c . | docker import -c 'CMD ["bash"]' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - debian:bookworm >/dev/null
  rm -rf "$tmp"
fi
log "images ready: busybox:latest debian:bookworm"
