#!/usr/bin/env bash
# A three-node Docker Swarm on this machine, for `capstan stack` tests.
#
#   scripts/swarm-cluster.sh up       build it (idempotent: a running cluster is left as it is)
#   scripts/swarm-cluster.sh down     remove everything `up` created; the machine is left as before
#   scripts/swarm-cluster.sh status   what exists (exit 0 when the cluster answers with 3 ready nodes)
#
# Layout (all names start with capswarm / capstan-swarm, nothing else is touched):
#   switch:  network namespace capswarm0 holding bridge br0; the host reaches it through the veth
#            capswarm0 (host side, 10.231.0.1/24) <-> uplink (on br0)
#   node N (1..3): network namespace capswarmN, veth cswN (in capswarm0, on br0) <-> eth0 (10.231.0.1N)
#                  a dockerd inside the namespace, with its own supervised containerd:
#                    --data-root /var/lib/capstan-swarm/nodeN  --exec-root /run/capstan-swarm/nodeN
#                    --pidfile /run/capstan-swarm/nodeN.pid    -H unix:///run/capstan-swarm/nodeN.sock
#                    --bip 10.232.N.1/24, local pool 10.233.N.0/24 (never the host's docker0 ranges)
#                  node1 is the manager (`swarm init --advertise-addr 10.231.0.11`), 2 and 3 workers.
#   registry: nodes cannot reach the host's loopback, so a second docker-registry process listens on
#             10.231.0.1:5000 and serves the SAME storage as scripts/registry.sh's 127.0.0.1:5000:
#             push as 127.0.0.1:5000/x on the host, deploy as 10.231.0.1:5000/x (every node has
#             --insecure-registry 10.231.0.1:5000). Config: /run/capstan-swarm/registry.yml.
#   iptables: none on the host. The host has br_netfilter on and FORWARD's policy is DROP (set by
#             the shared dockerd): a bridge in the host namespace would have its node-to-node
#             traffic dropped. So the bridge lives in its own namespace (capswarm0), whose tables
#             are empty and accept; host <-> node traffic is local (INPUT/OUTPUT), never forwarded.
#             Each node's dockerd writes its rules into its own namespace's tables.
#   images:  busybox:latest and debian:bookworm from the host engine are loaded into each node.
#
# Everyone else's state is left alone: the shared dockerd (/var/run/docker.sock), docker0 and its
# chains. This kernel has VXLAN (overlay networks work) but no IPVS (no service VIPs, no ingress
# routing mesh): stacks tested here use endpoint_mode: dnsrr and mode: host ports.
set -euo pipefail

log() { printf 'swarm-cluster.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, dockerd)"

run=/run/capstan-swarm
lib=/var/lib/capstan-swarm
bridge=capswarm0
host_ip=10.231.0.1
nodes=(1 2 3)
reg_home=${REGISTRY_HOME:-/var/lib/capstan-registry}
# the rule an earlier version of this script inserted; `down` still removes it if present
fw_rule=(FORWARD -i "$bridge" -o "$bridge" -m comment --comment capstan-swarm -j ACCEPT)
sw() { ip netns exec capswarm0 "$@"; }

node_ip() { echo "10.231.0.1$1"; }
sock() { echo "$run/node$1.sock"; }
dk() { local n=$1; shift; DOCKER_HOST="unix://$(sock "$n")" docker "$@"; }
answers() { curl -sf --max-time 2 --unix-socket "$(sock "$1")" http://d/_ping >/dev/null 2>&1; }

up_network() {
  ip netns list | grep -qw capswarm0 || ip netns add capswarm0
  sw ip link show br0 >/dev/null 2>&1 || sw ip link add br0 type bridge
  sw ip link set lo up
  sw ip link set br0 up
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type veth peer name uplink netns capswarm0
    ip addr add "$host_ip/24" dev "$bridge"
  fi
  ip link set "$bridge" up
  sw ip link set uplink master br0 up
  for n in "${nodes[@]}"; do
    local ns=capswarm$n
    ip netns list | grep -qw "$ns" || ip netns add "$ns"
    if ! sw ip link show "csw$n" >/dev/null 2>&1; then
      ip link add "csw$n" netns capswarm0 type veth peer name eth0 netns "$ns"
    fi
    sw ip link set "csw$n" master br0 up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip addr replace "$(node_ip "$n")/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip route replace default via "$host_ip"
  done
}

up_registry() {
  [ -f "$reg_home/plain.yml" ] || die "run scripts/registry.sh first (no $reg_home/plain.yml)"
  mkdir -p "$run"
  if ! curl -sf -o /dev/null --max-time 2 "http://$host_ip:5000/v2/"; then
    sed "s/addr: 127.0.0.1:5000/addr: $host_ip:5000/" "$reg_home/plain.yml" >"$run/registry.yml"
    setsid nohup docker-registry serve "$run/registry.yml" >"$run/registry.log" 2>&1 &
    echo $! >"$run/registry.pid"
    for _ in $(seq 1 50); do curl -sf -o /dev/null --max-time 2 "http://$host_ip:5000/v2/" && break; sleep 0.2; done
    curl -sf -o /dev/null --max-time 2 "http://$host_ip:5000/v2/" || { tail "$run/registry.log" >&2; die "registry on $host_ip:5000 did not answer"; }
  fi
}

up_engine() {
  local n=$1
  answers "$n" && return 0
  mkdir -p "$run/node$n" "$lib/node$n"
  log "starting dockerd node$n in netns capswarm$n"
  # nsenter --net (not `ip netns exec`, which remounts /sys and hides the cgroup mounts
  # dockerd needs); setsid: the engine outlives this script and gets no terminal signals
  # unshare --uts: each node its own hostname (capswarmN), so that `stack ps` NODE tells them apart
  setsid nsenter --net=/run/netns/capswarm$n unshare --uts sh -c 'hostname "$0"; exec "$@"' "capswarm$n" dockerd \
    --data-root "$lib/node$n" --exec-root "$run/node$n" --pidfile "$run/node$n.pid" \
    -H "unix://$(sock "$n")" --bip "10.232.$n.1/24" \
    --default-address-pool "base=10.233.$n.0/24,size=24" \
    --insecure-registry "$host_ip:5000" --storage-driver overlay2 \
    --label "capstan.node=node$n" --shutdown-timeout 2 --log-level warn \
    >"$run/node$n.log" 2>&1 </dev/null &
}

wait_engine() {
  local n=$1
  for _ in $(seq 1 120); do answers "$n" && return 0; sleep 0.5; done
  tail -20 "$run/node$n.log" >&2 || true
  die "dockerd node$n did not answer on $(sock "$n")"
}

up_swarm() {
  local state
  state=$(dk 1 info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != active ]; then
    log "swarm init on node1"
    dk 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" \
      --default-addr-pool 10.234.0.0/16 >/dev/null
  fi
  local token
  token=$(dk 1 swarm join-token -q worker)
  for n in 2 3; do
    if [ "$(dk "$n" info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
      log "node$n joins"
      dk "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" \
        --listen-addr "$(node_ip "$n"):2377" "$(node_ip 1):2377" >/dev/null
    fi
  done
  for _ in $(seq 1 60); do
    [ "$(dk 1 node ls --format '{{.Status}}' | grep -c Ready)" = 3 ] && return 0
    sleep 0.5
  done
  dk 1 node ls >&2
  die "not all 3 nodes are Ready"
}

load_images() {
  local n=$1 img
  for img in busybox:latest debian:bookworm; do
    dk "$n" image inspect "$img" >/dev/null 2>&1 && continue
    docker image inspect "$img" >/dev/null 2>&1 || { log "host engine has no $img (scripts/engine.sh)"; continue; }
    docker save "$img" | dk "$n" load -q >/dev/null
  done
}

up() {
  command -v dockerd >/dev/null || die "no dockerd"
  command -v docker-registry >/dev/null || die "no docker-registry (scripts/registry.sh installs it)"
  [ -d "$run" ] || mkdir -p "$run"
  up_network
  up_registry
  for n in "${nodes[@]}"; do up_engine "$n"; done
  for n in "${nodes[@]}"; do wait_engine "$n"; done
  up_swarm
  local pids=()
  for n in "${nodes[@]}"; do load_images "$n" & pids+=($!); done
  wait "${pids[@]}" # not a bare `wait`: the engines and the registry are children too
  log "cluster ready: manager unix://$(sock 1) ($(node_ip 1)), workers $(node_ip 2) $(node_ip 3); registry $host_ip:5000"
}

stop_pidfile() { # stop_pidfile FILE: TERM the process, wait up to 15 s, then KILL
  local f=$1 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

down() {
  for n in "${nodes[@]}"; do
    if answers "$n"; then
      # leave the swarm first, so a later `up` starts clean; containers go with the engine
      dk "$n" swarm leave --force >/dev/null 2>&1 || true
      dk "$n" ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="unix://$(sock "$n")" docker rm -f >/dev/null 2>&1 || true
    fi
  done
  for n in "${nodes[@]}"; do stop_pidfile "$run/node$n.pid" & done
  wait
  # any containerd / shim left behind by a killed engine (only ours: they carry our exec-root)
  for n in "${nodes[@]}"; do
    for pid in $(pgrep -f -- "$run/node$n/" || true); do kill -9 "$pid" 2>/dev/null || true; done
  done
  stop_pidfile "$run/registry.pid"
  for n in "${nodes[@]}"; do
    # mounts under our roots (overlay2 layers, netns bind mounts, shm)
    { grep -E " ($lib/node$n|$run/node$n)[/ ]" /proc/mounts || true; } | awk '{print $2}' | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    ip netns del "capswarm$n" 2>/dev/null || true
  done
  ip netns del capswarm0 2>/dev/null || true # br0, uplink and the cswN ends go with it
  ip link del "$bridge" 2>/dev/null || true
  while iptables -C "${fw_rule[@]}" 2>/dev/null; do iptables -D "${fw_rule[@]}"; done
  rm -rf "$run" "$lib"
  # check: nothing of ours is left (namespaces, links, the FORWARD rule, processes, mounts)
  local left=()
  [ -z "$(ip netns list | grep capswarm)" ] || left+=("network namespaces")
  [ -z "$(ip link show | grep -E ' (capswarm0|csw[0-9])[:@]')" ] || left+=("links")
  iptables -C "${fw_rule[@]}" 2>/dev/null && left+=("iptables rule")
  pgrep -f -- "$run/" >/dev/null && left+=("processes")
  [ -z "$(grep -E " ($lib|$run)[/ ]" /proc/mounts)" ] || left+=("mounts")
  [ ${#left[@]} -eq 0 ] || die "left behind: ${left[*]}"
  log "cluster removed"
}

status() {
  local ok=0
  ip link show "$bridge" >/dev/null 2>&1 && echo "switch capswarm0 ($host_ip): up" || { echo "switch capswarm0: absent"; ok=1; }
  for n in "${nodes[@]}"; do
    local ns=absent eng=down
    ip netns list | grep -qw "capswarm$n" && ns=present
    local swarm=
    if answers "$n"; then
      swarm=$(dk "$n" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null)
      eng="up ($swarm)"
    fi
    echo "node$n $(node_ip "$n"): netns $ns, engine $eng"
    # a node that left the swarm is not ready either (`up` joins it again)
    case "$swarm" in active\ *) ;; *) ok=1 ;; esac
  done
  if answers 1; then
    local nodes_table
    nodes_table=$(dk 1 node ls 2>/dev/null || true)
    echo "$nodes_table"
    [ "$(grep -c ' Ready ' <<<"$nodes_table")" = 3 ] || ok=1
  fi
  curl -sf -o /dev/null --max-time 2 "http://$host_ip:5000/v2/" && echo "registry $host_ip:5000: answers" || echo "registry $host_ip:5000: absent"
  return $ok
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
