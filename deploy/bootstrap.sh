#!/usr/bin/env bash
# Installs what the Python side needs on a fresh machine: uv (from PyPI) and the locked workspace environment.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# Only the registries are reachable: never let uv try to download a Python build.
export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1; then
  echo "[bootstrap] installing uv from PyPI" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --all-packages --quiet
# The deployment checker (compose-go and kustomize, the libraries docker compose and kubectl use), for the tests
# that validate docker-compose.yml and deploy/k8s offline. Go modules come from the Go proxy.
CHECK=$ROOT/.state/bin/deploycheck
if [ ! -x "$CHECK" ] || [ -n "$(find deploy/check -newer "$CHECK" -type f 2>/dev/null)" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "[bootstrap] installing Go (Debian)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq golang-go >/dev/null; else sudo apt-get install -y -qq golang-go >/dev/null; fi
  fi
  echo "[bootstrap] building the deployment checker" >&2
  mkdir -p "$ROOT/.state/bin"
  (cd deploy/check && go build -o "$CHECK" .)
fi
