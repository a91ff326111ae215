#!/bin/bash
# First start of the compose database: one role and one database per service, each with the password the secrets
# job generated (mounted read-only at /secrets), so a service can reach its own database and no other.
set -euo pipefail
for service in firms banks matcher oversight notifier; do
  password=$(cat "/secrets/$service.password")
  psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
    -v name="$service" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
SQL
done
