"""HTTP routes of the matcher service."""

from __future__ import annotations

from fastapi import APIRouter

from lianrong_platform.auth.routes import router as session_router

routers: list[APIRouter] = [session_router]
