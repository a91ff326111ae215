#!/usr/bin/env bash
# Obtains and runs the real infrastructure without Docker: Apache Kafka (KRaft, jars from Maven Central, run with
# java) and a project-local PostgreSQL cluster. Everything lives under $LIANRONG_STATE (default: ./.state).
#
#   deploy/infra.sh up       install what is missing, start Kafka and PostgreSQL, create databases and roles
#   deploy/infra.sh down     stop both (data is kept)
#   deploy/infra.sh status   say what runs
#   deploy/infra.sh env      print the environment variables that point at this infrastructure
#   deploy/infra.sh reset    stop both and delete all data
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${LIANRONG_STATE:-$ROOT/.state}")
KAFKA_PORT=${KAFKA_PORT:-29092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-29093}
PG_PORT=${PG_PORT:-55432}
PG_SUPERPASS=${PG_SUPERPASS:-lianrong}
SERVICES=(firms banks matcher oversight)
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
  if [ ! -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
    log "fetching Apache Kafka $KAFKA_VERSION from Maven Central"
    mkdir -p "$libs"
    mvn -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  fi
  echo "$libs"
}

kafka_pid() { [ -f "$KDIR/kafka.pid" ] && kill -0 "$(cat "$KDIR/kafka.pid")" 2>/dev/null && cat "$KDIR/kafka.pid"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

kafka_up() {
  if kafka_pid >/dev/null; then log "Kafka already runs (pid $(kafka_pid))"; return; fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process; set KAFKA_PORT"
  local libs; libs=$(kafka_fetch)
  mkdir -p "$KDIR/logs" "$KDIR/data"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
      -e "s#@DATA_DIR@#$KDIR/data#g" "$ROOT/deploy/kafka/server.properties.in" > "$KDIR/server.properties"
  local jvm=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
             -Dlog4j.configuration="file:$ROOT/deploy/kafka/log4j.properties" -Dkafka.logs.dir="$KDIR/logs"
             -cp "$libs/*")
  if [ ! -f "$KDIR/data/meta.properties" ]; then
    log "formatting KRaft storage"
    "${jvm[@]}" kafka.tools.StorageTool format -t "$(cat "$KDIR/cluster-id" 2>/dev/null || \
      "${jvm[@]}" kafka.tools.StorageTool random-uuid | tee "$KDIR/cluster-id")" \
      -c "$KDIR/server.properties" --ignore-formatted >"$KDIR/logs/format.log" 2>&1 \
      || die "formatting Kafka storage failed: $KDIR/logs/format.log"
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  nohup "${jvm[@]}" kafka.Kafka "$KDIR/server.properties" >"$KDIR/logs/stdout.log" 2>&1 &
  echo $! > "$KDIR/kafka.pid"
  local i
  for i in $(seq 1 120); do
    port_open "$KAFKA_PORT" && { log "Kafka listens"; return; }
    kafka_pid >/dev/null || die "Kafka exited during start: see $KDIR/logs/server.log and $KDIR/logs/stdout.log"
    sleep 0.5
  done
  die "Kafka did not open port $KAFKA_PORT within 60 s: see $KDIR/logs/server.log"
}

stop_pid() { # pid name
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "$2 did not stop within 30 s; killing it"; kill -9 "$pid" 2>/dev/null || true
}

kafka_down() {
  local pid; pid=$(kafka_pid) || { log "Kafka is not running"; return; }
  log "stopping Kafka (pid $pid)"; stop_pid "$pid" Kafka; rm -f "$KDIR/kafka.pid"
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
    pg_as "$bin/pg_ctl" -D "$PGDATA" -l "$PGHOME/server.log" -w -t 60 start >/dev/null \
      || die "PostgreSQL did not start: $PGHOME/server.log"
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
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
export DATABASE_URL=postgresql://postgres:$PG_SUPERPASS@127.0.0.1:$PG_PORT/postgres
export FIRMS_DATABASE_URL=postgresql://firms:firms@127.0.0.1:$PG_PORT/firms
export BANKS_DATABASE_URL=postgresql://banks:banks@127.0.0.1:$PG_PORT/banks
export MATCHER_DATABASE_URL=postgresql://matcher:matcher@127.0.0.1:$PG_PORT/matcher
export OVERSIGHT_DATABASE_URL=postgresql://oversight:oversight@127.0.0.1:$PG_PORT/oversight
ENV
}

case "${1:-}" in
  up) ensure_packages; pg_up; kafka_up; print_env > "$STATE/env.sh"; log "ready (environment: $STATE/env.sh)";;
  down) kafka_down; pg_down;;
  status)
    if kafka_pid >/dev/null; then echo "kafka: running (pid $(kafka_pid)) on 127.0.0.1:$KAFKA_PORT"; else echo "kafka: stopped"; fi
    if [ -n "$(pg_bindir)" ] && pg_as "$(pg_bindir)/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
    then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; fi;;
  env) print_env;;
  reset) kafka_down; pg_down; log "deleting $KDIR/data and $PGHOME"; rm -rf "$KDIR/data" "$PGHOME";;
  *) echo "usage: $0 up|down|status|env|reset" >&2; exit 2;;
esac
