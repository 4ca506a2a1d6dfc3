#!/usr/bin/env bash
# The collector under load on this machine, SQLite then PostgreSQL 15, all on loopback:
#   reports    simulated agents (bench/collector_load.cpp, its own process, real mTLS with
#              keep-alive) post reports as fast as the collector answers;
#   baseline   the same agents over the same connections ask GET /v1/admission (TLS, HTTP,
#              certificate checks, one read, no write): what the transport alone allows;
#   RADIUS     Debian's FreeRADIUS with the shipped rlm_rest module, MAB requests open-loop at a
#              fixed rate (bench/radius_load.cpp) for a compliant PC.
# Prints each figure, reports/s as a ratio to the baseline, and the issue's targets
# (>= 2,000 reports/s; RADIUS authorize p99 <= 5 ms at 1,000 req/s; both on SQLite).
#
#   collector_bench.sh BUILD_DIR      (MAMORI_BENCH_SECONDS=10, MAMORI_BENCH_DEVICES=32,
#                                      MAMORI_BENCH_ENGINES="sqlite postgresql")
set -euo pipefail
build=$(realpath "${1:-build}")
collector=$build/collector/mamori-collector
agent=$build/agent/mamori-agent
load=$build/bench/mamori_bench_collector_load
radius_load=$build/bench/mamori_radius_load
seconds=${MAMORI_BENCH_SECONDS:-10}
devices=${MAMORI_BENCH_DEVICES:-32}
engines=${MAMORI_BENCH_ENGINES:-sqlite postgresql}
radius_rate=1000
lab_name=bench
lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-bench.XXXXXX")
source "$(dirname "$0")/../scripts/lib/lab.sh"
lab_init
lab_require jq
for binary in "$collector" "$agent" "$load" "$radius_load"; do
  [[ -x $binary ]] || lab_fail "$binary is missing (make build)"
done

# ---- PostgreSQL 15: a cluster of our own on a Unix socket in lab_tmp, as the postgres user ----
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=''
pg_port=$((20000 + $$ % 20000))
as_postgres() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_start() {
  [[ -x $pg_bin/initdb ]] || lab_fail "PostgreSQL 15 is missing (apt-get install postgresql-15)"
  # Its own directory: the postgres user cannot enter lab_tmp (0700, it holds the CA key).
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/mamori-bench-pg.XXXXXX")
  ((EUID != 0)) || chown postgres: "$pg_dir"
  # Default durability (fsync on, synchronous_commit on): the figures are a real server's.
  as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U mamori >"$lab_tmp/pg-tools.log" 2>&1 ||
    lab_fail "initdb failed: $(tail -n 3 "$lab_tmp/pg-tools.log")"
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-k $pg_dir -p $pg_port -c listen_addresses=''" start >>"$lab_tmp/pg-tools.log" 2>&1 ||
    lab_fail "pg_ctl start failed: $(tail -n 5 "$pg_dir/server.log")"
}
pg_create() {  # name -> URL
  as_postgres "$pg_bin/createdb" -h "$pg_dir" -p "$pg_port" -U mamori "$1" >>"$lab_tmp/pg-tools.log" 2>&1 ||
    lab_fail "createdb failed"
  echo "postgresql://mamori@/$1?host=$pg_dir&port=$pg_port"
}
lab_before_removal() {
  [[ -n $pg_dir ]] || return 0
  if [[ -e $pg_dir/data/postmaster.pid ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1
  fi
  rm -rf "$pg_dir"
}

field() {  # line name -> the number after "name "
  sed -n "s/.*$2 \([0-9.]*\).*/\1/p" <<<"$1"
}

# ---- one engine: baseline, reports, RADIUS ----
bench_engine() {  # label database-url-or-empty
  local label=$1 url=$2
  echo "== $label =="
  rm -rf "$lab_tmp/collector" "$lab_raddb"
  lab_collector_config "$url"
  lab_start_collector
  local token
  token=$(lab_admin token create --department bench --segment lgwan --uses $((2 * devices + 1)) \
    --valid-hours 2 2>/dev/null) || lab_fail "token create failed"
  local run=("$load" --url "https://localhost:$collector_port" --ca "$collector_ca" --token "$token"
    --root "$lab_fixtures/hosts/debian12" --devices "$devices" --seconds "$seconds")
  local baseline reports
  baseline=$("${run[@]}" --request admission) || lab_fail "baseline run failed: $baseline"
  echo "baseline  $baseline"
  reports=$("${run[@]}" --request report) || lab_fail "report run failed: $reports"
  echo "reports   $reports"
  local per_s base_per_s
  per_s=$(field "$reports" "s:")
  base_per_s=$(field "$baseline" "s:")
  awk -v r="$per_s" -v b="$base_per_s" -v label="$label" 'BEGIN {
    printf "ratio     reports/s / baseline requests/s = %.2f; reports/s / 2,000 target = %.2f (%s)\n",
      r / b, r / 2000, label == "SQLite" ? (r >= 2000 ? "met" : "NOT met") : "target is for SQLite"
  }'

  # RADIUS: one compliant PC (the sample 総務課 PC with its USB exceptions) behind MAB.
  local mac=52:54:00:12:34:56 out
  lab_make_compliant_host "$lab_tmp/pc" 5a0c1e2f3d4b4a59b8c7d6e5f4a3b201 "$mac"
  "$agent" enroll --collector "https://localhost:$collector_port" --ca "$collector_ca" \
    --token "$token" --state-dir "$lab_tmp/pc-agent" --root "$lab_tmp/pc" >/dev/null 2>&1 ||
    lab_fail "enrolling the RADIUS PC failed"
  lab_grant_usb_exceptions "$(lab_device_id_of soumu-pc-014)" "benchmark"
  "$agent" run --once --state-dir "$lab_tmp/pc-agent" --root "$lab_tmp/pc" >/dev/null 2>&1 ||
    lab_fail "the RADIUS PC's report failed"
  lab_start_radius
  out=$("$radius_load" --server "127.0.0.1:$radius_port" --secret "$radius_secret" \
    --rate "$radius_rate" --seconds "$seconds" --mac "$mac" --expect accept) ||
    lab_fail "RADIUS load failed: $out"
  echo "RADIUS    $(tr '\n' ' ' <<<"$out")"
  local p99
  p99=$(field "$out" "p99")
  awk -v p="$p99" -v label="$label" 'BEGIN {
    printf "ratio     RADIUS p99 / 5 ms target = %.2f (%s)\n", p / 5,
      label == "SQLite" ? (p <= 5 ? "met" : "NOT met") : "target is for SQLite"
  }'
  lab_stop "$radius_pid"
  radius_pid=''
  lab_stop_collector
  rm -rf "$lab_tmp/pc" "$lab_tmp/pc-agent"
  echo
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo "load: $devices simulated agents, $seconds s per run; RADIUS at $radius_rate req/s"
echo
for engine in $engines; do
  case $engine in
    sqlite) bench_engine SQLite '' ;;
    postgresql) pg_start && bench_engine "PostgreSQL 15" "$(pg_create mamori)" ;;
    *) lab_fail "unknown engine $engine (sqlite, postgresql)" ;;
  esac
done
