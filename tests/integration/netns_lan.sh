# A small city hall LAN made of network namespaces, for the quarantine tests: a bridge in its
# own namespace and hosts joined to it by veth pairs, at 10.77.0.<octet>/24. Sourced; the caller
# sets, before sourcing:
#   netns_tag      a prefix unique to this run (namespace names derive from it)
# and calls netns_cleanup from its EXIT handling. Traffic stays inside these namespaces.

netns_lan=$netns_tag-lan
netns_hosts=() netns_servers=()

netns_lan_up() {
  ip netns add "$netns_lan"
  ip -n "$netns_lan" link add br0 type bridge
  ip -n "$netns_lan" link set br0 up
}

netns_host() {  # NAMESPACE LAST-OCTET [HTTP-PORT...]: a host, with HTTP servers on its ports
  local ns=$1 octet=$2 port
  shift 2
  ip netns add "$ns"
  netns_hosts+=("$ns")
  ip -n "$netns_lan" link add "v$octet" type veth peer name eth0 netns "$ns"
  ip -n "$netns_lan" link set "v$octet" master br0 up
  ip -n "$ns" addr add "10.77.0.$octet/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  for port in "$@"; do
    ip netns exec "$ns" python3 -m http.server "$port" --bind "10.77.0.$octet" >/dev/null 2>&1 &
    netns_servers+=($!)
  done
}

netns_cleanup() {
  local p n
  for p in "${netns_servers[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in "${netns_hosts[@]}" "$netns_lan"; do ip netns del "$n" 2>/dev/null || true; done
}

# Whether the host in namespace FROM connects over TCP to ADDRESS:PORT within a second.
netns_reaches() {  # FROM ADDRESS PORT
  ip netns exec "$1" timeout 1 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
}

# Polls until FROM reaches every ADDRESS:PORT (listeners take a moment to bind).
netns_wait_reachable() {  # FROM ADDRESS:PORT...
  local from=$1 target
  shift
  for _ in $(seq 100); do
    for target in "$@"; do netns_reaches "$from" "${target%:*}" "${target#*:}" || continue 2; done
    return 0
  done
  echo "netns: the test servers never answered" >&2
  return 1
}
