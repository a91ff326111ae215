# syntax=docker/dockerfile:1.7
# One image for every Lianrong process: `firms api`, `matcher consumer`, `banks webhooks`, `portal`, … (python -m),
# and the one-shot jobs (`lianrong-secrets`, `lianrong-topics`, `<service> migrate`, `demo`).
ARG PYTHON=python:3.11-slim-bookworm

# uv pinned to the version that wrote uv.lock, so a build resolves nothing on its own.
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM ${PYTHON} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# The dependencies first, from the lock file and the members' pyproject files alone: this layer (the slow one) is
# rebuilt only when the dependencies change, not when the code does.
COPY pyproject.toml uv.lock ./
COPY shared/contracts/pyproject.toml shared/contracts/
COPY shared/platform/pyproject.toml shared/platform/
COPY services/firms/pyproject.toml services/firms/
COPY services/banks/pyproject.toml services/banks/
COPY services/matcher/pyproject.toml services/matcher/
COPY services/oversight/pyproject.toml services/oversight/
COPY services/notifier/pyproject.toml services/notifier/
COPY services/portal/pyproject.toml services/portal/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --all-packages --no-dev --no-install-workspace
# Then the code, installed into the environment (not linked to the sources, which stay in this stage).
COPY shared ./shared
COPY services ./services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --all-packages --no-dev --no-editable

FROM ${PYTHON}
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin lianrong
COPY --from=build /app/.venv /app/.venv
# The demo seeder (docker compose --profile demo) runs from the image too.
COPY demo /app/demo
COPY bench/__init__.py bench/market.py /app/bench/
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 LOG_FORMAT=json
USER 10001:10001
ENTRYPOINT ["python", "-m"]
