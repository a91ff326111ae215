"""`python -m portal`: serve the pages on PORTAL_HTTP_PORT (8100)."""

from __future__ import annotations

import uvicorn

from lianrong_platform.logging import configure_logging
from portal.app import PortalSettings, create_app


def main() -> None:
    settings = PortalSettings()
    configure_logging("portal")
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None, access_log=False
    )


if __name__ == "__main__":
    main()
