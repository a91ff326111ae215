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
