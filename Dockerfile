# One image for every Lianrong service process: `python -m <service> api|consumer|relay|migrate`.
FROM python:3.11-slim
RUN pip install --no-cache-dir uv
WORKDIR /app
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 PATH=/app/.venv/bin:$PATH LOG_FORMAT=json
COPY pyproject.toml uv.lock ./
COPY shared ./shared
COPY services ./services
RUN uv sync --frozen --all-packages --no-dev
ENTRYPOINT ["python", "-m"]
