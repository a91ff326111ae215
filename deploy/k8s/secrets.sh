#!/usr/bin/env bash
# This installation's secrets as Kubernetes Secrets, one per holder, in the lianrong namespace (deploy/k8s/base
# mounts each service's own; none is ever in the repository):
#
#   deploy/k8s/secrets.sh <postgres-host> [port]
#
# The files are generated once by `lianrong-secrets` and kept in $LIANRONG_SECRETS_OUT (.state/k8s-secrets): run
# again, it applies the same ones. postgres-roles.sql there creates the services' roles and databases with them.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${LIANRONG_SECRETS_OUT:-$ROOT/.state/k8s-secrets}
(umask 077 && mkdir -p "$OUT")
uv run --project "$ROOT" --frozen lianrong-secrets --dir "$OUT" --db-host "${1:?the PostgreSQL host}" --db-port "${2:-5432}"
apply() { kubectl -n lianrong create secret generic "$1" --from-file="$2" --dry-run=client -o yaml | kubectl apply -f -; }
for holder in firms banks matcher oversight notifier; do apply "$holder-secrets" "$OUT/$holder"; done
apply jwt-public "$OUT/jwt"
for s in firms banks matcher oversight notifier; do
  printf "CREATE ROLE %s LOGIN PASSWORD '%s';\nCREATE DATABASE %s OWNER %s;\n" "$s" "$(cat "$OUT/postgres/$s.password")" "$s" "$s"
done > "$OUT/postgres-roles.sql"
echo "Secrets applied. Create the databases: psql -h $1 -U postgres -f $OUT/postgres-roles.sql"
