"""Waiting for a server a test started: polled until it answers 200."""

from __future__ import annotations

import asyncio

import httpx


async def wait_ready(url: str, within_s: float = 20.0) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(int(within_s * 10)):
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never became ready")
