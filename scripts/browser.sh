#!/usr/bin/env bash
# The headless browser the example tests drive (test/e2e/examples/*.test.ts): Debian's
# `chromium`, controlled through the `playwright-core` devDependency with `executablePath`
# (playwright-core never downloads a browser of its own).
#
# Idempotent: when /usr/bin/chromium and the DejaVu fonts are already there it does nothing.
# Otherwise, as root on Debian, it installs `chromium fonts-dejavu-core` with apt; elsewhere it
# says what is missing and exits 1.
set -euo pipefail

log() { printf 'browser.sh: %s\n' "$*" >&2; }

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null; then
    log "error: missing: ${need[*]} (install them; the browser tests look for /usr/bin/chromium)"
    exit 1
  fi
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
log "browser ready: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
