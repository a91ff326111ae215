#!/usr/bin/env bash
# Runs Lianrong's service processes on this machine (no Docker) under supervisord: for each service an API, a
# consumer and an outbox relay (the banks' webhook dispatcher, the notifier's sender), the portal, and the demo's
# mail and SMS catchers (a local SMTP server writing to $LIANRONG_STATE/mail, an SMS provider stand-in). supervisord
# starts the real Python processes (no `uv run` wrapper between), restarts what dies, and knows each one's state;
# its watchdog (deploy/supervise.py) kills a process that stops answering /healthz, so a hung one is restarted too.
# Logs are under $LIANRONG_STATE/run.
#
#   deploy/services.sh up | down | status | restart <service>-<role>
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${LIANRONG_STATE:-$ROOT/.state}
RUN=$STATE/run
CONF=$RUN/supervisord.conf
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
# LIANRONG_PORT_BASE moves every port (portal at the base, APIs base+1..5, workers base+101.., base+201..; the mail
# catcher base+25, the SMS stand-in base+90) so a
# second installation (the fault suite's) can run beside the demo.
BASE=${LIANRONG_PORT_BASE:-8100}
declare -A PORTS=([firms]=$((BASE + 1)) [banks]=$((BASE + 2)) [matcher]=$((BASE + 3)) [oversight]=$((BASE + 4))
                  [notifier]=$((BASE + 5)))
SERVICES=(firms banks matcher oversight notifier)
SMTP_PORT=$((BASE + 25))
SMS_PORT=$((BASE + 90))
ROLES=(api consumer relay)
roles_of() {
  case "$1" in
    banks) echo "${ROLES[@]} webhooks";;
    notifier) echo "api consumer sender";;  # it publishes nothing: no relay
    *) echo "${ROLES[@]}";;
  esac
}
PY=$ROOT/.venv/bin/python

log() { printf '\033[1;32m[services]\033[0m %s\n' "$*" >&2; }
ctl() { "$ROOT/.venv/bin/supervisorctl" -c "$CONF" "$@"; }
running() { [ -S "$RUN/supervisor.sock" ] && ctl pid >/dev/null 2>&1; }

# One [program] per process. Workers serve /healthz, /readyz and /metrics next to the API: 82x1 consumer, 83x1
# relay, 84x1 webhooks; the notifier 8205 consumer, 8305 sender (fixed by the role's place, so a restarted worker
# gets its own port back).
write_conf() {
  local s r offset env
  mkdir -p "$RUN"
  # The demo answers deadlines in minutes, not working hours, so re-routing can be watched; the banks service
  # issues service-account tokens for banks' own systems with the installation's key.
  env="KAFKA_BOOTSTRAP_SERVERS=\"$KAFKA_BOOTSTRAP_SERVERS\",JWT_PUBLIC_KEY_FILE=\"$STATE/keys/jwt-public.pem\""
  env+=",LIANRONG_STATE=\"$STATE\",LOG_FORMAT=\"json\""
  env+=",MATCHER_SLA_SECONDS=\"${MATCHER_SLA_SECONDS:-600}\",MATCHER_SLA_WORKING_HOURS=\"${MATCHER_SLA_WORKING_HOURS:-false}\""
  env+=",MATCHER_RETRY_ESCALATED_SECONDS=\"${MATCHER_RETRY_ESCALATED_SECONDS:-120}\""
  env+=",BANKS_JWT_PRIVATE_KEY_FILE=\"$STATE/keys/jwt-private.pem\""
  env+=",OVERSIGHT_PSEUDONYM_KEY_FILE=\"$STATE/keys/oversight-pseudonym.key\""
  for s in "${SERVICES[@]}"; do
    local upper=${s^^}
    env+=",${upper}_DATABASE_URL=\"$(eval echo "\$${upper}_DATABASE_URL")\",${upper}_HTTP_PORT=\"${PORTS[$s]}\""
  done
  env+=",PORTAL_HTTP_PORT=\"$BASE\",PORTAL_FIRMS_URL=\"http://127.0.0.1:${PORTS[firms]}\""
  env+=",PORTAL_BANKS_URL=\"http://127.0.0.1:${PORTS[banks]}\",PORTAL_MATCHER_URL=\"http://127.0.0.1:${PORTS[matcher]}\""
  env+=",PORTAL_OVERSIGHT_URL=\"http://127.0.0.1:${PORTS[oversight]}\",PORTAL_NOTIFIER_URL=\"http://127.0.0.1:${PORTS[notifier]}\""
  env+=",NOTIFIER_SMTP_HOST=\"127.0.0.1\",NOTIFIER_SMTP_PORT=\"$SMTP_PORT\",NOTIFIER_SMS_URL=\"http://127.0.0.1:$SMS_PORT\""
  env+=",NOTIFIER_REMINDER_BEFORE_SECONDS=\"${NOTIFIER_REMINDER_BEFORE_SECONDS:-180}\""
  env+=",PORTAL_DEMO_IDENTITIES=\"$STATE/demo-tokens.json\",PORTAL_DEMO_MODE=\"true\""
  cat >"$CONF" <<CONF
[supervisord]
logfile=$RUN/supervisord.log
pidfile=$RUN/supervisord.pid
childlogdir=$RUN
directory=$ROOT
environment=$env

[unix_http_server]
file=$RUN/supervisor.sock

[supervisorctl]
serverurl=unix://$RUN/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

CONF
  for s in "${SERVICES[@]}"; do
    offset=0
    for r in $(roles_of "$s"); do
      local extra=""
      [ "$r" = api ] || extra="--metrics-port $((PORTS[$s] + 100 * offset))"
      offset=$((offset + 1))
      cat >>"$CONF" <<CONF
[program:$s-$r]
command=$PY -m $s $r $extra
autorestart=true
startsecs=2
startretries=100
stopwaitsecs=20
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$RUN/$s-$r.log
stdout_logfile_maxbytes=50MB

CONF
    done
  done
  mkdir -p "$STATE/mail/tmp" "$STATE/mail/new" "$STATE/mail/cur"  # a Maildir
  cat >>"$CONF" <<CONF
[program:mail-catcher]
command=$PY -m aiosmtpd -n -l 127.0.0.1:$SMTP_PORT -c aiosmtpd.handlers.Mailbox $STATE/mail
autorestart=true
redirect_stderr=true
stdout_logfile=$RUN/mail-catcher.log

[program:sms-stand-in]
command=$PY -m notifier.sms_stub --port $SMS_PORT
autorestart=true
redirect_stderr=true
stdout_logfile=$RUN/sms-stand-in.log

[eventlistener:watchdog]
command=$PY $ROOT/deploy/supervise.py watchdog $RUN
events=TICK_5
autorestart=true
environment=WATCHDOG_AFTER_SECONDS="${WATCHDOG_AFTER_SECONDS:-30}"
stderr_logfile=$RUN/watchdog.log

[program:portal]
command=$PY -m portal
autorestart=true
startsecs=2
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$RUN/portal.log
CONF
}

# This installation's processes left running without their supervisord (it was killed: its children live on,
# unwatched, holding their ports). Found by the installation's state directory in their environment, so another
# installation's processes (the tests', the fault suite's) are never touched.
orphans() {
  local pid
  for pid in $(pgrep -f -- "^$PY (-m (firms|banks|matcher|oversight|notifier|portal|aiosmtpd|notifier\.sms_stub)( |\$)|$ROOT/deploy/supervise\.py watchdog)" || true); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "LIANRONG_STATE=$STATE" && echo "$pid"
  done
  return 0
}

reap_orphans() {
  local pids i
  pids=$(orphans)
  [ -n "$pids" ] || return 0
  log "supervisord is gone but $(echo "$pids" | wc -l) of its processes still run: stopping them ($(echo $pids))"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for i in $(seq 1 100); do [ -n "$(orphans)" ] || return 0; sleep 0.2; done
  # shellcheck disable=SC2046
  kill -KILL $(orphans) 2>/dev/null || true
}

up() {
  # shellcheck disable=SC1091
  source "$STATE/env.sh"
  uv run --frozen lianrong-token keys --dir "$STATE/keys" >/dev/null
  # The oversight pseudonyms' secret: generated once for this installation, never a default in the source.
  if [ ! -s "$STATE/keys/oversight-pseudonym.key" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$STATE/keys/oversight-pseudonym.key")
  fi
  uv run --frozen lianrong-topics >&2
  local s
  for s in "${SERVICES[@]}"; do
    "$PY" -m "$s" migrate >&2
  done
  write_conf
  if running; then
    ctl update >&2  # a changed configuration applies; running processes stay
    ctl start all >/dev/null || true
  else
    reap_orphans
    "$ROOT/.venv/bin/supervisord" -c "$CONF"
  fi
  for s in "${SERVICES[@]}"; do
    local i
    for i in $(seq 1 150); do
      curl -fsS "http://127.0.0.1:${PORTS[$s]}/readyz" >/dev/null 2>&1 && break
      [ "$i" -lt 150 ] || { tail -20 "$RUN/$s-api.log" >&2; log "$s API failed to start"; exit 1; }
      sleep 0.2
    done
  done
}

down() {
  local pid=""
  [ -f "$RUN/supervisord.pid" ] && pid=$(cat "$RUN/supervisord.pid")
  if running; then ctl shutdown >/dev/null || true; fi
  # supervisord stops every program (each within its stopwaitsecs) before it exits: wait for the process itself.
  if [ -n "$pid" ]; then
    local i; for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  reap_orphans
  log "services stopped"
}

status() {
  # supervisorctl's own status lacks restarts and readiness: deploy/supervise.py adds them (exit 1 if one is unwell).
  if running; then "$PY" "$ROOT/deploy/supervise.py" status "$RUN"; return; fi
  local left; left=$(orphans)
  if [ -z "$left" ]; then echo "services: not running (make run starts them)"; return 0; fi
  echo "services: supervisord is NOT running, yet $(echo "$left" | wc -l) processes of this installation run unwatched:"
  # shellcheck disable=SC2086
  ps -o pid=,args= -p $(echo $left | tr ' ' ',') | sed 's/^/  /'
  echo "  make down stops them; make run starts everything under supervision again"
  return 1
}

case "${1:-}" in
  up) up;; down) down;; status) status;;
  restart) ctl restart "${2:?which program, e.g. matcher-consumer}";;
  *) echo "usage: $0 up|down|status|restart <service>-<role>" >&2; exit 2;;
esac
