"""A stand-in SMS provider for tests and the demo, shaped like the provider the `Sms` channel speaks to: it takes
messages, keeps them, and lists them at GET /v1/messages (nothing reaches a phone). An operator can make it refuse
the next requests (POST /control/outage {"requests": n}) to watch retries.

    python -m notifier.sms_stub --port 8190
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, Response
from pydantic import BaseModel, Field


class Outgoing(BaseModel):
    to: str = Field(pattern=r"^\+\d{8,15}$")
    sign: str = Field(min_length=1, max_length=20)
    text: str = Field(min_length=1, max_length=500)
    reference: str = Field(min_length=1, max_length=64)


def create_app(api_key: str = "") -> FastAPI:
    app = FastAPI(title="SMS provider (stand-in)")
    app.state.messages = []
    app.state.outage = 0

    @app.post("/v1/messages", status_code=202)
    async def send(body: Outgoing, response: Response, authorization: str = Header(default="")) -> dict[str, Any]:
        if api_key and authorization != f"Bearer {api_key}":
            response.status_code = 401
            return {"error": "bad key"}
        if app.state.outage > 0:
            app.state.outage -= 1
            response.status_code = 503
            return {"error": "provider unavailable"}
        message = {"id": str(uuid.uuid4()), "received_at": datetime.now(UTC).isoformat(), **body.model_dump()}
        app.state.messages.append(message)
        return {"id": message["id"], "status": "queued"}

    @app.get("/v1/messages")
    async def received() -> list[dict[str, Any]]:
        return list(app.state.messages)

    class Outage(BaseModel):
        requests: int = Field(ge=0, le=100_000)

    @app.post("/control/outage")
    async def outage(body: Outage) -> dict[str, int]:
        app.state.outage = body.requests
        return {"requests": body.requests}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--api-key", default="")
    args = parser.parse_args()
    uvicorn.run(create_app(args.api_key), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
