#!/usr/bin/env bash
# Prints where everything runs once `make run` has started it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${LIANRONG_STATE:-$ROOT/.state}
# shellcheck disable=SC1091
source "$STATE/env.sh"
cat <<TXT

  链融 Lianrong is running.

  Portal       http://127.0.0.1:8100/   (log in as any demo person)

  firms    API  http://127.0.0.1:8101/docs    metrics :8101/metrics  consumer :8201  relay :8301
  banks    API  http://127.0.0.1:8102/docs    metrics :8102/metrics  consumer :8202  relay :8302
  matcher  API  http://127.0.0.1:8103/docs    metrics :8103/metrics  consumer :8203  relay :8303
  oversight API http://127.0.0.1:8104/docs    metrics :8104/metrics  consumer :8204  relay :8304
  notifier API  http://127.0.0.1:8105/docs    metrics :8105/metrics  consumer :8205  sender :8305
  banks webhook dispatcher                                              :8402 (/readyz, /metrics)
  Mail sent    $STATE/mail (a Maildir: the demo's SMTP server on :8125 keeps what the notifier sends)
  SMS sent     http://127.0.0.1:8190/v1/messages (the demo's SMS provider stand-in)
  Processes    make status   (supervisord restarts what dies; deploy/services.sh restart <service>-<role>)
  Kafka        $KAFKA_BOOTSTRAP_SERVERS
  PostgreSQL   ${DATABASE_URL}
  Logs         $STATE/run/*.log

  Demo people (SMEs, chain masters, officers, bank admins, the PBOC analyst) and their tokens:
                         $STATE/demo-tokens.json
  A token for the APIs:  make token ROLE=regulator   (then: curl -H "Authorization: Bearer <token>" \
http://127.0.0.1:8101/v1/session)
  Stop everything:       make down

TXT
