#!/usr/bin/env bash
# The fault suite (`make chaos`, CI: `make chaos CHAOS_PROFILE=short`) on an installation of its own, beside any
# running demo: three Kafka brokers (39092, 39102, 39112), PostgreSQL on 56432, the processes under supervisord on
# ports 9100–9504, the demo market. It starts from empty data, runs `python -m chaos`, and stops everything at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export LIANRONG_STATE=${CHAOS_STATE:-$ROOT/.state/chaos}
export KAFKA_BROKERS=3 KAFKA_PORT=39092 KAFKA_CONTROLLER_PORT=39093 PG_PORT=56432 LIANRONG_PORT_BASE=9100
export UV_PYTHON_DOWNLOADS=never
PROFILE=${CHAOS_PROFILE:-full}

stop() { deploy/services.sh down >/dev/null 2>&1 || true; deploy/infra.sh down >/dev/null 2>&1 || true; }
trap stop EXIT
stop
deploy/infra.sh reset >/dev/null 2>&1 || true
deploy/infra.sh up
deploy/services.sh up
# shellcheck disable=SC1091
source "$LIANRONG_STATE/env.sh"
DEMO_FIRMS_URL=http://127.0.0.1:9101 DEMO_BANKS_URL=http://127.0.0.1:9102 uv run --frozen python -m demo >/dev/null
uv run --frozen python -m chaos --profile "$PROFILE"
