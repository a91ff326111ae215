#!/usr/bin/env bash
# Obtains and runs the real infrastructure without Docker: Apache Kafka (KRaft, jars from Maven Central, run with
# java) and a project-local PostgreSQL cluster. Everything lives under $LIANRONG_STATE (default: ./.state).
#
#   deploy/infra.sh up       install what is missing, start Kafka and PostgreSQL, create databases and roles
#   deploy/infra.sh down     stop both (data is kept)
#   deploy/infra.sh status   say what runs
#   deploy/infra.sh env      print the environment variables that point at this infrastructure
#   deploy/infra.sh restart-postgres   stop PostgreSQL (fast) and start it again
#   deploy/infra.sh reset    stop both and delete all data
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${LIANRONG_STATE:-$ROOT/.state}")
KAFKA_PORT=${KAFKA_PORT:-29092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-29093}
# KAFKA_BROKERS=3 runs a three-node KRaft cluster (ports 10 apart: 29092, 29102, 29112) with replication factor 3
# and min in-sync replicas 2; the count is remembered, so `down` and `status` need not be told again.
PG_PORT=${PG_PORT:-55432}
PG_SUPERPASS=${PG_SUPERPASS:-lianrong}
SERVICES=(firms banks matcher oversight notifier)
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/deploy/kafka/pom.xml")

log() { printf '\033[1;34m[infra]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[infra] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing Debian packages: $*"
  if [ ! -f "$STATE/.apt-updated" ]; then as_root apt-get update -qq; mkdir -p "$STATE"; touch "$STATE/.apt-updated"; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(readlink -f "$(command -v initdb)")"
}

ensure_packages() {
  local need=()
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || need+=(maven)
  [ -n "$(pg_bindir)" ] || need+=(postgresql)
  command -v psql >/dev/null || need+=(postgresql-client)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
}

# --- Kafka -------------------------------------------------------------------------------------------------------
KDIR=$STATE/kafka
kafka_fetch() {
  local libs=$KDIR/libs-$KAFKA_VERSION
  if [ ! -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ] || [ ! -f "$libs/kafka-tools-$KAFKA_VERSION.jar" ]; then
    log "fetching Apache Kafka $KAFKA_VERSION from Maven Central"
    mkdir -p "$libs"
    mvn -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  fi
  echo "$libs"
}

brokers() { if [ -f "$KDIR/brokers" ]; then cat "$KDIR/brokers"; else echo "${KAFKA_BROKERS:-1}"; fi; }
node_dir() { if [ "$1" = 1 ]; then echo "$KDIR"; else echo "$KDIR/node-$1"; fi; }
broker_port() { echo $((KAFKA_PORT + 10 * ($1 - 1))); }
sasl_port() { echo $(($(broker_port "$1") + 5)); }
sasl_password() {
  [ -s "$KDIR/sasl-password" ] || (umask 077 && mkdir -p "$KDIR" && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$KDIR/sasl-password")
  cat "$KDIR/sasl-password"
}
controller_port() { echo $((KAFKA_CONTROLLER_PORT + 10 * ($1 - 1))); }
replication() { if [ "$(brokers)" -ge 3 ]; then echo 3; else echo 1; fi; }
min_isr() { if [ "$(brokers)" -ge 3 ]; then echo 2; else echo 1; fi; }
bootstrap() { local i out=(); for i in $(seq 1 "$(brokers)"); do out+=("127.0.0.1:$(broker_port "$i")"); done; (IFS=,; echo "${out[*]}"); }
# A process that has exited but is not yet reaped (a zombie: its parent is gone, and whoever inherits it may reap
# late) still answers `kill -0`: read its state instead, so a broker killed a moment ago counts as stopped.
alive() { local state; state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]; }
kafka_pid_of() { local f; f="$(node_dir "$1")/kafka.pid"; [ -f "$f" ] && alive "$(cat "$f")" && cat "$f"; }
kafka_pid() { kafka_pid_of 1; }

# Whether something LISTENs on a port, read from the kernel's socket tables, not by connecting: our ports lie in the
# range for outgoing connections, and a client that keeps connecting to a dead broker's port (every service does,
# with back-off) can end up connected to itself on it (TCP self-connect), which a connect probe takes for a server.
port_open() {
  local hex; hex=$(printf ':%04X' "$1")
  awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Starts every node that does not run (so `up` also brings back one broker that died while the others run).
kafka_up() {
  mkdir -p "$KDIR"
  [ -f "$KDIR/brokers" ] || echo "${KAFKA_BROKERS:-1}" > "$KDIR/brokers"
  local n; n=$(brokers)
  local libs; libs=$(kafka_fetch)
  local i voters=()
  for i in $(seq 1 "$n"); do voters+=("$i@127.0.0.1:$(controller_port "$i")"); done
  local cluster; cluster=$(cat "$KDIR/cluster-id" 2>/dev/null || true)
  local heap=(-Xms256m -Xmx1g); [ "$n" -gt 1 ] && heap=(-Xms128m -Xmx384m)  # three JVMs on a 2-core machine
  for i in $(seq 1 "$n"); do
    local dir port; dir=$(node_dir "$i"); port=$(broker_port "$i")
    if kafka_pid_of "$i" >/dev/null; then log "Kafka node $i already runs (pid $(kafka_pid_of "$i"))"; continue; fi
    port_open "$port" && die "port $port is taken by another process; set KAFKA_PORT"
    mkdir -p "$dir/logs" "$dir/data"
    sed -e "s#@KAFKA_PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$(controller_port "$i")#g" \
        -e "s#@SASL_PORT@#$(sasl_port "$i")#g" -e "s#@SASL_PASSWORD@#$(sasl_password)#g" \
        -e "s#@DATA_DIR@#$dir/data#g" -e "s#@NODE_ID@#$i#g" -e "s#@VOTERS@#$(IFS=,; echo "${voters[*]}")#g" \
        -e "s#@RF@#$(replication)#g" -e "s#@MIN_ISR@#$(min_isr)#g" \
        "$ROOT/deploy/kafka/server.properties.in" > "$dir/server.properties"
    chmod 600 "$dir/server.properties"  # it holds the SASL password
    local jvm=(java "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true
               -Dlog4j.configuration="file:$ROOT/deploy/kafka/log4j.properties" -Dkafka.logs.dir="$dir/logs"
               -cp "$libs/*")
    if [ ! -f "$dir/data/meta.properties" ]; then
      log "formatting KRaft storage of node $i"
      [ -n "$cluster" ] || cluster=$("${jvm[@]}" kafka.tools.StorageTool random-uuid | tee "$KDIR/cluster-id")
      "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster" -c "$dir/server.properties" --ignore-formatted \
        >"$dir/logs/format.log" 2>&1 || die "formatting Kafka storage failed: $dir/logs/format.log"
    fi
    log "starting Kafka $KAFKA_VERSION node $i of $n on 127.0.0.1:$port"
    printf '%q ' "${jvm[@]}" kafka.Kafka "$dir/server.properties" > "$dir/start.cmd"  # to start it again below
    nohup "${jvm[@]}" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
    echo $! > "$dir/kafka.pid"
  done
  for i in $(seq 1 "$n"); do
    local port dir j; port=$(broker_port "$i"); dir=$(node_dir "$i")
    local restarts=0
    for j in $(seq 1 400); do
      port_open "$port" && break
      if ! kafka_pid_of "$i" >/dev/null; then
        # As for PostgreSQL: a client's socket may hold one of the node's ports for a few seconds.
        if [ "$restarts" -lt 20 ] && tail -n 400 "$dir/logs/server.log" 2>/dev/null | grep -q "Address already in use"; then
          restarts=$((restarts + 1))
          log "a port of Kafka node $i is held by a connection's local end for now; starting it again in 3 s"
          sleep 3
          mv "$dir/logs/server.log" "$dir/logs/server.log.bind-failed"  # judge the next start by its own log
          nohup bash -c "exec $(cat "$dir/start.cmd")" >"$dir/logs/stdout.log" 2>&1 &
          echo $! > "$dir/kafka.pid"
          continue
        fi
        die "Kafka node $i exited during start: see $dir/logs/server.log"
      fi
      [ "$j" -lt 400 ] || die "Kafka node $i did not open port $port within 200 s: see $dir/logs/server.log"
      sleep 0.5
    done
  done
  log "Kafka listens ($(bootstrap))"
}

stop_pid() { # pid name
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 60); do alive "$pid" || return 0; sleep 0.5; done
  log "$2 did not stop within 30 s; killing it"; kill -9 "$pid" 2>/dev/null || true
}

kafka_down() {
  local i pid any=""
  for i in $(seq "$(brokers)" -1 1); do
    pid=$(kafka_pid_of "$i") || continue
    any=1; log "stopping Kafka node $i (pid $pid)"; stop_pid "$pid" Kafka; rm -f "$(node_dir "$i")/kafka.pid"
  done
  [ -n "$any" ] || log "Kafka is not running"
}

# --- PostgreSQL ----------------------------------------------------------------------------------------------------
# initdb and postgres refuse to run as root: as root we run them as Debian's postgres user, which must be able to
# reach the cluster's directory. A checkout under a private directory (mktemp -d) is not reachable: the cluster then
# lives under /var/tmp, named after the checkout, and $STATE/pg-location says where.
pg_home() {
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$STATE" 2>/dev/null; then echo "$STATE/pg"
  else echo "/var/tmp/lianrong-pg-$(printf %s "$STATE" | cksum | cut -d' ' -f1)"; fi
}
mkdir -p "$STATE"
PGHOME=$(pg_home)
[ "$PGHOME" = "$STATE/pg" ] || echo "$PGHOME" > "$STATE/pg-location"
PGDATA=$PGHOME/data
PGRUN=$PGHOME/run
# initdb and postgres refuse to run as root: use Debian's postgres user then.
pg_as() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
psql_super() { PGPASSWORD=$PG_SUPERPASS psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

pg_up() {
  local bin; bin=$(pg_bindir)
  mkdir -p "$PGHOME"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PGHOME"; fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $PGDATA"
    local pw; pw=$(mktemp); echo "$PG_SUPERPASS" > "$pw"; chmod 644 "$pw"
    pg_as "$bin/initdb" -D "$PGDATA" -U postgres --pwfile="$pw" --auth-local=scram-sha-256 \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
      || { rm -f "$pw"; die "initdb failed: $STATE/initdb.log"; }
    rm -f "$pw"
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGRUN'
max_connections = 300
shared_buffers = 256MB
fsync = on
log_min_messages = warning
CONF
  fi
  pg_as mkdir -p "$PGRUN"
  if pg_as "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "PostgreSQL already runs"
  else
    port_open "$PG_PORT" && die "port $PG_PORT is taken by another process; set PG_PORT"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    local attempt
    for attempt in $(seq 1 25); do
      pg_as "$bin/pg_ctl" -D "$PGDATA" -l "$PGHOME/server.log" -w -t 60 start >/dev/null && break
      # Our ports lie in the kernel's range for outgoing connections: a client's socket may hold the port (nothing
      # listens on it, so the check above passed), and after it closes, TIME_WAIT keeps it for up to a minute.
      tail -n 5 "$PGHOME/server.log" | grep -q "could not bind" && [ "$attempt" -lt 25 ] \
        || die "PostgreSQL did not start: $PGHOME/server.log"
      log "port $PG_PORT is held by a connection's local end for now; starting again in 3 s"
      sleep 3
    done
  fi
  # One database and one role per service: a service can only touch its own state.
  local s
  for s in "${SERVICES[@]}"; do
    psql_super -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$s'" | grep -q 1 \
      || psql_super -d postgres -c "CREATE ROLE $s LOGIN PASSWORD '$s'"
    psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$s'" | grep -q 1 \
      || psql_super -d postgres -c "CREATE DATABASE $s OWNER $s"
  done
}

pg_down() {
  local bin; bin=$(pg_bindir)
  [ -f "$PGDATA/PG_VERSION" ] || { log "PostgreSQL has no cluster"; return; }
  if pg_as "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"; pg_as "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  else log "PostgreSQL is not running"; fi
}

print_env() {
  cat <<ENV
export KAFKA_BOOTSTRAP_SERVERS=$(bootstrap)
export LIANRONG_KAFKA_SASL_SERVERS=127.0.0.1:$(sasl_port 1)
export LIANRONG_KAFKA_SASL_PASSWORD=$(sasl_password)
export KAFKA_REPLICATION_FACTOR=$(replication)
export KAFKA_MIN_INSYNC_REPLICAS=$(min_isr)
export DATABASE_URL=postgresql://postgres:$PG_SUPERPASS@127.0.0.1:$PG_PORT/postgres
export FIRMS_DATABASE_URL=postgresql://firms:firms@127.0.0.1:$PG_PORT/firms
export BANKS_DATABASE_URL=postgresql://banks:banks@127.0.0.1:$PG_PORT/banks
export MATCHER_DATABASE_URL=postgresql://matcher:matcher@127.0.0.1:$PG_PORT/matcher
export OVERSIGHT_DATABASE_URL=postgresql://oversight:oversight@127.0.0.1:$PG_PORT/oversight
export NOTIFIER_DATABASE_URL=postgresql://notifier:notifier@127.0.0.1:$PG_PORT/notifier
ENV
}

case "${1:-}" in
  up) ensure_packages; pg_up; kafka_up; print_env > "$STATE/env.sh"; log "ready (environment: $STATE/env.sh)";;
  down) kafka_down; pg_down;;
  status)
    for i in $(seq 1 "$(brokers)"); do
      if kafka_pid_of "$i" >/dev/null; then echo "kafka node $i: running (pid $(kafka_pid_of "$i")) on 127.0.0.1:$(broker_port "$i")"
      else echo "kafka node $i: stopped"; fi
    done
    if [ -n "$(pg_bindir)" ] && pg_as "$(pg_bindir)/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
    then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; fi;;
  env) print_env;;
  restart-postgres) pg_down; pg_up;;  # what an operator does for a minor upgrade; workers must reconnect on their own
  reset) kafka_down; pg_down; log "deleting Kafka's data and $PGHOME"
         rm -rf "$KDIR/data" "$KDIR"/node-* "$KDIR/brokers" "$KDIR/cluster-id" "$PGHOME";;
  *) echo "usage: $0 up|down|status|env|restart-postgres|reset" >&2; exit 2;;
esac
