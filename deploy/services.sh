#!/usr/bin/env bash
# Starts and stops Lianrong's service processes on this machine (no Docker): for each service an API, a consumer
# and an outbox relay (and the banks' webhook dispatcher), with logs and pid files under $LIANRONG_STATE/run.
#
#   deploy/services.sh up | down | status
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${LIANRONG_STATE:-$ROOT/.state}
RUN=$STATE/run
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
declare -A PORTS=([firms]=8101 [banks]=8102 [matcher]=8103 [oversight]=8104)
ROLES=(api consumer relay)
roles_of() { if [ "$1" = banks ]; then echo "${ROLES[@]} webhooks"; else echo "${ROLES[@]}"; fi; }

log() { printf '\033[1;32m[services]\033[0m %s\n' "$*" >&2; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
  # shellcheck disable=SC1091
  source "$STATE/env.sh"
  export JWT_PUBLIC_KEY_FILE=$STATE/keys/jwt-public.pem LIANRONG_STATE=$STATE LOG_FORMAT=json
  uv run --frozen lianrong-token keys --dir "$STATE/keys" >/dev/null
  uv run --frozen lianrong-topics >&2
  mkdir -p "$RUN"
  local s r offset
  for s in firms banks matcher oversight; do
    uv run --frozen python -m "$s" migrate >&2
    offset=0
    for r in $(roles_of "$s"); do
      local port=${PORTS[$s]}
      # Workers serve their Prometheus metrics next to the API: 81x1 API, 82x1 consumer, 83x1 relay, 84x1 webhooks
      # (fixed by the role's place, so a restarted worker gets its own port back).
      local extra=()
      [ "$r" = api ] || extra=(--metrics-port $((port + 100 * offset)))
      offset=$((offset + 1))
      if alive "$RUN/$s-$r.pid"; then continue; fi
      # The demo answers deadlines in minutes, not working hours, so re-routing can be watched; the banks service
      # issues service-account tokens for banks' own systems with the installation's key.
      env "${s^^}_HTTP_PORT=$port" MATCHER_SLA_SECONDS="${MATCHER_SLA_SECONDS:-600}" \
        MATCHER_SLA_WORKING_HOURS="${MATCHER_SLA_WORKING_HOURS:-false}" \
        MATCHER_RETRY_ESCALATED_SECONDS="${MATCHER_RETRY_ESCALATED_SECONDS:-120}" \
        BANKS_JWT_PRIVATE_KEY_FILE="$STATE/keys/jwt-private.pem" \
        nohup uv run --frozen python -m "$s" "$r" "${extra[@]}" >"$RUN/$s-$r.log" 2>&1 &
      echo $! > "$RUN/$s-$r.pid"
    done
  done
  if ! alive "$RUN/portal.pid"; then
    env PORTAL_DEMO_IDENTITIES="$STATE/demo-tokens.json" nohup uv run --frozen python -m portal \
      >"$RUN/portal.log" 2>&1 &
    echo $! > "$RUN/portal.pid"
  fi
  for s in firms banks matcher oversight; do
    local i
    for i in $(seq 1 100); do
      curl -fsS "http://127.0.0.1:${PORTS[$s]}/readyz" >/dev/null 2>&1 && break
      alive "$RUN/$s-api.pid" || { tail -20 "$RUN/$s-api.log" >&2; log "$s API failed to start"; exit 1; }
      sleep 0.2
    done
  done
}

down() {
  local f
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    if alive "$f"; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    local i; for i in $(seq 1 50); do alive "$f" || break; sleep 0.2; done
    alive "$f" && kill -9 "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  log "services stopped"
}

status() {
  local s r
  for s in firms banks matcher oversight; do
    for r in $(roles_of "$s"); do
      if alive "$RUN/$s-$r.pid"; then echo "$s $r: running (pid $(cat "$RUN/$s-$r.pid"))"; else echo "$s $r: stopped"; fi
    done
  done
}

case "${1:-}" in
  up) up;; down) down;; status) status;;
  *) echo "usage: $0 up|down|status" >&2; exit 2;;
esac
