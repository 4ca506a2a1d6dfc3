# The loopback lab: a collector, Debian's FreeRADIUS with the shipped rlm_rest module and site,
# and fixture PCs, all on 127.0.0.1. Sourced by `make demo`, the integration tests and the
# benchmark script, so they all run the same set-up.
#
# The caller sets, before sourcing:
#   lab_name    prefix of every message ("radius_test", "demo")
#   lab_tmp     an empty private directory; everything the lab writes goes there
#   collector   the mamori-collector binary
# lab_init installs an EXIT trap that stops what the lab started and removes lab_tmp; a caller
# that started more defines lab_before_removal to stop it.
#
# After lab_start_collector: collector_pid, collector_port, collector_config, collector_ca.
# After lab_start_radius:    radius_pid, radius_port, radius_secret.

lab_source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lab_fixtures=$lab_source_dir/tests/fixtures
collector_pid='' collector_port='' radius_pid='' radius_port=''
radius_secret=mamori-lab-secret
collector_config=$lab_tmp/collector.json
collector_ca=$lab_tmp/collector/ca.crt

lab_say() { echo "$lab_name: $*"; }

lab_fail() {
  echo "$lab_name: FAIL: $*" >&2
  local log
  for log in collector.log radius.log agent.log; do
    if [[ -s $lab_tmp/$log ]]; then
      echo "---- last lines of $log" >&2
      tail -n 40 "$lab_tmp/$log" >&2
    fi
  done
  # A test whose programs log elsewhere (a container's journal) says so in lab_on_failure.
  if declare -F lab_on_failure >/dev/null; then lab_on_failure >&2 || true; fi
  exit 1
}

lab_alive() { kill -0 "$1" 2>/dev/null; }

# Polls a command until it succeeds or `seconds` pass; no fixed sleeps.
lab_wait_for() {  # seconds what command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || lab_fail "timed out after ${seconds}s waiting for $what"
    sleep 0.05
  done
}

lab_stop() {  # pid: SIGTERM, then wait (bounded), then SIGKILL
  local pid=$1
  [[ -n $pid ]] && lab_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    lab_alive "$pid" || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

lab_cleanup() {
  lab_stop "$radius_pid"
  lab_stop "$collector_pid"
  if declare -F lab_before_removal >/dev/null; then lab_before_removal || true; fi
  rm -rf "$lab_tmp"
}

lab_require() {  # tool... : fail early, naming the Debian packages
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null ||
      lab_fail "$tool not found (apt-get install freeradius freeradius-rest freeradius-utils iproute2 jq curl)"
  done
}

# ---------------------------------------------------------------------------------------------
# Collector
# ---------------------------------------------------------------------------------------------

# Writes the collector's config: loopback, a fresh CA under $lab_tmp/collector, SQLite unless a
# database URL is given, and the VLANs the RADIUS path answers with.
lab_collector_config() {  # [database-url]
  local database=''
  [[ -n ${1:-} ]] && database="\"database\":\"$1\","
  cat >"$collector_config" <<JSON
{"listen":{"host":"127.0.0.1","port":0},"server_names":["localhost","127.0.0.1"],
 "state_dir":"$lab_tmp/collector","port_file":"$lab_tmp/port",$database
 "radius":{"vlans":{"mynumber":"10","lgwan":"20","internet":"30"},"quarantine_vlan":"999",
           "unknown_device":"reject"}}
JSON
}

# The collector publishes and serves the TUF repository DIR with the online keys in KEYS
# (snapshot.pem, timestamp.pem), publishing every second.
lab_collector_tuf() {  # DIR KEYS
  jq --arg repo "$1" --arg s "$2/snapshot.pem" --arg t "$2/timestamp.pem" \
    '.tuf = {repository: $repo, snapshot_key: $s, timestamp_key: $t, publish_interval_seconds: 1}' \
    "$collector_config" >"$collector_config.new" && mv "$collector_config.new" "$collector_config"
}

# Starts `mamori-collector serve` and waits for the port it announces. With a port, binds that
# one again (a restart keeps the agents' URL valid).
lab_start_collector() {  # [port]
  [[ -e $collector_config ]] || lab_collector_config
  if [[ -n ${1:-} ]]; then
    jq --argjson port "$1" '.listen.port = $port' "$collector_config" >"$collector_config.new"
    mv "$collector_config.new" "$collector_config"
  fi
  rm -f "$lab_tmp/port"
  "$collector" serve --config "$collector_config" >>"$lab_tmp/collector.log" 2>&1 &
  collector_pid=$!
  lab_port_written() {
    lab_alive "$collector_pid" || lab_fail "mamori-collector exited during start-up"
    [[ -s $lab_tmp/port ]]
  }
  lab_wait_for 30 "the collector's port file" lab_port_written
  collector_port=$(<"$lab_tmp/port")
  [[ $collector_port =~ ^[0-9]+$ ]] || lab_fail "port file holds '$collector_port'"
}

lab_stop_collector() {
  lab_stop "$collector_pid"
  collector_pid=''
}

lab_admin() { "$collector" "$@" --config "$collector_config" --lang en; }

# ---------------------------------------------------------------------------------------------
# FreeRADIUS: a minimal radiusd.conf of our own that includes only the shipped module and site
# (plus Debian's "always" module, which provides `reject`), on a free loopback UDP port.
# No `user`/`group` in `security`: radiusd stays the invoking user and can read $lab_tmp.
# 8 RADIUS threads, so the module's pool (max = max_servers) stays below the collector's
# threads, as installer/freeradius/README.md ("Capacity") asks.
# ---------------------------------------------------------------------------------------------
lab_raddb=$lab_tmp/raddb

lab_write_radiusd_conf() {
  mkdir -p "$lab_raddb/mods-enabled" "$lab_raddb/sites-enabled" "$lab_raddb/run" \
    "$lab_raddb/log" "$lab_raddb/certs"
  lab_admin service-cert --name radius --out-dir "$lab_raddb/certs/mamori" >/dev/null ||
    lab_fail "mamori-collector service-cert failed"
  local f
  for f in radius.key radius.crt ca.crt; do
    [[ -s $lab_raddb/certs/mamori/$f ]] || lab_fail "service-cert wrote no $f"
  done
  cat >"$lab_raddb/radiusd.conf" <<CONF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $lab_raddb/log
raddbdir = $lab_raddb
radacctdir = \${logdir}/radacct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
certdir = \${confdir}/certs
cadir = \${confdir}/certs
run_dir = $lab_raddb/run
db_dir = \${raddbdir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
log {
	destination = files
	file = \${logdir}/radius.log
	colourise = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}
proxy_requests = no
\$INCLUDE clients.conf
thread pool {
	start_servers = 4
	max_servers = 8
	min_spare_servers = 2
	max_spare_servers = 8
	max_requests_per_server = 0
	auto_limit_acct = no
}
modules {
	\$INCLUDE mods-enabled/
}
instantiate {
}
policy {
}
\$INCLUDE sites-enabled/
CONF
  cat >"$lab_raddb/clients.conf" <<CONF
client loopback {
	ipaddr = 127.0.0.1
	secret = $radius_secret
}
CONF
  cp /etc/freeradius/3.0/mods-available/always "$lab_raddb/mods-enabled/always"
}

# The shipped files, changed only where a site must: the collector's address, and loopback +
# our port instead of *:1812 (the IPv6 listener is dropped). Each change is checked, so a
# reshaped shipped file fails here rather than testing something else.
lab_render_shipped() {  # udp-port
  local port=$1 installer=$lab_source_dir/installer/freeradius
  local module=$lab_raddb/mods-enabled/mamori site=$lab_raddb/sites-enabled/mamori
  sed "s|^\(\s*collector_uri = \).*|\1\"https://localhost:$collector_port\"|" \
    "$installer/mods-available/mamori" >"$module"
  grep -q "^\s*collector_uri = \"https://localhost:$collector_port\"" "$module" ||
    lab_fail "cannot set collector_uri in the shipped module"
  awk -v port="$port" '
    /^listen \{/ { inside = 1; block = "" }
    inside {
      block = block $0 "\n"
      if ($0 ~ /^\}/) {
        inside = 0
        if (block !~ /ipv6addr/) {
          sub(/ipaddr = \*/, "ipaddr = 127.0.0.1", block)
          sub(/port = 1812/, "port = " port, block)
          printf "%s", block
        }
      }
      next
    }
    { print }' "$installer/sites-available/mamori" >"$site"
  [[ $(grep -c "ipaddr = 127.0.0.1" "$site") -eq 1 && $(grep -c "port = $port\$" "$site") -eq 1 &&
    $(grep -c "ipv6addr" "$site") -eq 0 ]] ||
    lab_fail "cannot move the shipped site's listen section to 127.0.0.1:$port"
}

lab_free_udp_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    ss -Hlun "sport = :$port" | grep -q . || break
  done
  echo "$port"
}

# Starts freeradius in the foreground (MAMORI_RADIUS_DEBUG=1: with -X) and waits until it answers
# Status-Server.
lab_start_radius() {
  lab_require freeradius radclient ss
  [[ -e /usr/lib/freeradius/rlm_rest.so ]] || lab_fail "rlm_rest missing (apt-get install freeradius-rest)"
  [[ -e $lab_raddb/radiusd.conf ]] || lab_write_radiusd_conf
  local flags=(-f -l stdout)
  [[ ${MAMORI_RADIUS_DEBUG:-} == 1 ]] && flags=(-X)
  lab_radius_ready() {
    lab_alive "$radius_pid" || return 0  # reported below
    grep -q "Ready to process requests" "$lab_tmp/radius.log"
  }
  # Another process may take the port between the check and the bind: then try another.
  for _ in 1 2 3 4 5; do
    radius_port=$(lab_free_udp_port)
    lab_render_shipped "$radius_port"
    : >"$lab_tmp/radius.log"
    freeradius "${flags[@]}" -d "$lab_raddb" >>"$lab_tmp/radius.log" 2>&1 &
    radius_pid=$!
    lab_wait_for 30 "freeradius to start" lab_radius_ready
    lab_alive "$radius_pid" && break
    grep -q "Failed binding" "$lab_tmp/radius.log" || lab_fail "freeradius did not start"
    radius_pid=''
  done
  [[ -n $radius_pid ]] || lab_fail "freeradius found no free port"
  # It answers Status-Server only once the listener is really up.
  local deadline=$((SECONDS + 15))
  until echo "Message-Authenticator = 0x00" |
    radclient -t 1 -r 1 "127.0.0.1:$radius_port" status "$radius_secret" >/dev/null 2>&1; do
    lab_alive "$radius_pid" || lab_fail "freeradius exited"
    ((SECONDS < deadline)) || lab_fail "freeradius does not answer Status-Server"
  done
}

# A MAC Authentication Bypass request as a switch sends it; prints radclient's output.
lab_mab() {  # mac (aa:bb:..)
  local bare=${1//:/} dashed
  dashed=$(echo "${1//:/-}" | tr a-f A-F)
  printf 'User-Name = "%s"\nUser-Password = "%s"\nCalling-Station-Id = "%s"\nNAS-Port-Type = Ethernet\nService-Type = Call-Check\n' \
    "$bare" "$bare" "$dashed" |
    radclient -x -t 5 -r 1 "127.0.0.1:$radius_port" auth "$radius_secret" 2>&1 || true
}

# What radclient received: `Access-Accept`, `Access-Reject`, or nothing.
lab_reply_code() {  # radclient-output
  sed -n 's/^Received \(Access-[A-Za-z]*\).*/\1/p' <<<"$1"
}

# The first value of a reply attribute (`Tunnel-Private-Group-Id` or `...:0`), unquoted.
lab_reply_value() {  # radclient-output attribute
  sed -n "s/^\s*$2\(:0\)\? = \"\?\([^\"]*\)\"\?\$/\2/p" <<<"$1" | head -n 1
}

# ---------------------------------------------------------------------------------------------
# Fixture PCs: a private root made of fixture layers (tests/fixtures/README.md), with its own
# machine-id and one physical Ethernet NIC whose MAC the collector pins at enrollment.
# ---------------------------------------------------------------------------------------------
lab_make_host() {  # dir machine-id mac layer...
  local dir=$1 machine_id=$2 mac=$3 layer
  shift 3
  mkdir -p "$dir"
  for layer in "$@"; do cp -r "$lab_fixtures/$layer/." "$dir/"; done
  # dconf reads its compiled database only when it is newer than the keyfiles.
  if [[ -e $dir/etc/dconf/db/local ]]; then touch "$dir/etc/dconf/db/local"; fi
  echo "$machine_id" >"$dir/etc/machine-id"
  lab_refresh_signatures "$dir"
  local pci=sys/devices/pci0000:00/0000:00:1f.6
  mkdir -p "$dir/$pci" "$dir/sys/class/net/eth0" "$dir/sys/class/net/lo"
  echo "$mac" >"$dir/sys/class/net/eth0/address"
  echo 1 >"$dir/sys/class/net/eth0/type"
  echo 0 >"$dir/sys/class/net/eth0/addr_assign_type"
  ln -s "../../../devices/pci0000:00/0000:00:1f.6" "$dir/sys/class/net/eth0/device"
  # Loopback: no device link, not Ethernet; never pinned.
  echo 00:00:00:00:00:00 >"$dir/sys/class/net/lo/address"
  echo 772 >"$dir/sys/class/net/lo/type"
}

# The fixtures' ClamAV database was built on a fixed day; a PC judged by the wall clock (the
# collector does) needs it fresh: its header says it was built an hour ago.
lab_refresh_signatures() {  # dir
  local cld=$1/var/lib/clamav/daily.cld header fields built
  [[ -f $cld ]] || return 0
  header=$(head -c 512 "$cld" | tr -d '\0' | sed 's/ *$//')
  IFS=: read -r -a fields <<<"$header"
  built=$(($(date +%s) - 3600))
  fields[1]=$(date -u -d "@$built" '+%d %b %Y %H-%M +0000')
  fields[8]=$built
  header=$(IFS=:; echo "${fields[*]}")
  printf '%-512s' "$header" | dd of="$cld" bs=512 count=1 conv=notrunc status=none
}

# The 総務課 sample PC: Debian 12 with ClamAV, PAM with a U2F key, GNOME screen lock. It fails
# only USB-1/USB-2 (auto-authorising root hubs, unregistered sticks attached), for which
# lab_grant_usb_exceptions records the CISO's exceptions (第129–131条).
lab_make_compliant_host() {  # dir machine-id mac
  lab_make_host "$@" hosts/debian12 pam/base pam/u2f-required login/gnome-locked
}

lab_grant_usb_exceptions() {  # device-id reason
  local expires requirement
  expires=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
  for requirement in USB-1 USB-2; do
    lab_admin exception add --id "EXC-$requirement-${1:0:8}" --device "$1" \
      --requirement "$requirement" --reason "$2" --approver CISO \
      --expires "$expires" >>"$lab_tmp/admin.log" 2>&1 ||
      lab_fail "exception add $requirement failed: $(tail -n 3 "$lab_tmp/admin.log")"
  done
}

lab_device_id_of() {  # hostname -> device id, from `device list`
  lab_admin device list | awk -v host="$1" '$2 == host { print $1 }'
}

lab_init() {
  mkdir -p "$lab_tmp"
  trap lab_cleanup EXIT
}
