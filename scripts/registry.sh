#!/usr/bin/env bash
# Two local image registries for Capstan's pull/push tests and examples (no public registry is
# reachable from our machines). Debian's docker-registry package is the Distribution registry.
#
#   127.0.0.1:5000  plain HTTP, no auth (the engine trusts loopback registries over HTTP)
#   127.0.0.1:5443  TLS (our own CA, installed as /etc/docker/certs.d/127.0.0.1:5443/ca.crt)
#                   and htpasswd auth: user "capstan", password "capstan-pass"
#
# Both are seeded with busybox:latest (as <registry>/busybox:latest). State lives in
# /var/lib/capstan-registry (REGISTRY_HOME). Idempotent: what is already there is kept, a
# registry that answers is left running, so a second run takes well under a second.
# Needs root on Debian for the install step (as scripts/engine.sh); run after scripts/engine.sh.
set -euo pipefail

log() { printf 'registry.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

home=${REGISTRY_HOME:-/var/lib/capstan-registry}
user=capstan
password=capstan-pass
certs_d=/etc/docker/certs.d/127.0.0.1:5443

is_root_debian() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  is_root_debian || die "missing: ${need[*]} (install them: root on Debian runs apt-get here)"
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$home/plain" "$home/secure" "$home/tls"

# A CA and a server certificate for 127.0.0.1 (IP SAN: Go checks the SAN, not the CN).
if [ ! -s "$home/tls/server.crt" ]; then
  log "making a CA and a certificate for 127.0.0.1"
  (
    cd "$home/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=Capstan test CA' \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile ext.cnf -out server.crt 2>/dev/null
    rm -f server.csr ext.cnf
  )
fi
if ! cmp -s "$home/tls/ca.crt" "$certs_d/ca.crt" 2>/dev/null; then
  mkdir -p "$certs_d"
  cp "$home/tls/ca.crt" "$certs_d/ca.crt"
fi
[ -s "$home/htpasswd" ] || htpasswd -Bbc "$home/htpasswd" "$user" "$password" 2>/dev/null

cat >"$home/plain.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $home/plain }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:5000
EOF
cat >"$home/secure.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $home/secure }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:5443
  tls: { certificate: $home/tls/server.crt, key: $home/tls/server.key }
auth:
  htpasswd: { realm: capstan-registry, path: $home/htpasswd }
EOF

# answers NAME URL [curl flags...]: the registry's /v2/ responds (200, or 401 when it wants a login)
answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${@:2}" "$1" 2>/dev/null) || true
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

start() { # start NAME URL CURL-FLAGS...
  local name=$1 url=$2
  shift 2
  answers "$url" "$@" && return 0
  log "starting the $name registry"
  nohup docker-registry serve "$home/$name.yml" >"$home/$name.log" 2>&1 &
  for _ in $(seq 1 50); do answers "$url" "$@" && return 0; sleep 0.2; done
  tail -20 "$home/$name.log" >&2 || true
  die "the $name registry did not answer at $url"
}
start plain http://127.0.0.1:5000/v2/
start secure https://127.0.0.1:5443/v2/ --cacert "$home/tls/ca.crt"

# Seed: <registry>/busybox:latest from the local busybox:latest (scripts/engine.sh builds it).
seeded() { # seeded URL CURL-FLAGS...: the busybox manifest is there
  curl -sf -o /dev/null --max-time 5 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "${@:2}" "$1" 2>/dev/null
}
seed() { # seed REGISTRY
  local ref=$1/busybox:latest
  docker tag busybox:latest "$ref"
  docker push -q "$ref" >/dev/null
  docker rmi "$ref" >/dev/null
}
if ! seeded http://127.0.0.1:5000/v2/busybox/manifests/latest; then
  log "seeding 127.0.0.1:5000 with busybox:latest"
  seed 127.0.0.1:5000
fi
if ! seeded https://127.0.0.1:5443/v2/busybox/manifests/latest --cacert "$home/tls/ca.crt" -u "$user:$password"; then
  log "seeding 127.0.0.1:5443 with busybox:latest"
  # a throw-away client config: the login must not land in the user's ~/.docker/config.json
  DOCKER_CONFIG=$(mktemp -d)
  export DOCKER_CONFIG
  trap 'rm -rf "$DOCKER_CONFIG"' EXIT
  printf '%s' "$password" | docker login -u "$user" --password-stdin 127.0.0.1:5443 >/dev/null 2>&1
  seed 127.0.0.1:5443
  docker logout 127.0.0.1:5443 >/dev/null 2>&1 || true
fi
log "registries ready: 127.0.0.1:5000 (http) 127.0.0.1:5443 (tls, user $user)"
