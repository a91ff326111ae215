"""Demo tokens for local use.

lianrong-token keys                                   # create .state/keys/jwt-{private,public}.pem if missing
lianrong-token issue --role sme --firm <uuid>         # print a token acting for that firm
lianrong-token issue --role officer --bank <uuid> --officer <uuid> --ttl-hours 24
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from lianrong_platform.auth.issue import TokenIssuer, ensure_key_pair
from lianrong_platform.auth.principal import Role

KEY_DIR = Path(os.environ.get("LIANRONG_STATE", ".state")) / "keys"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lianrong-token", description="Local demo tokens for Lianrong's APIs")
    sub = parser.add_subparsers(dest="command", required=True)
    keys = sub.add_parser("keys", help="create the demo signing key pair if missing")
    keys.add_argument("--dir", type=Path, default=KEY_DIR)
    issue = sub.add_parser("issue", help="print a bearer token")
    issue.add_argument("--dir", type=Path, default=KEY_DIR)
    issue.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue.add_argument("--sub", default=None, help="subject (user) name; defaults to the role")
    issue.add_argument("--firm", type=UUID)
    issue.add_argument("--bank", type=UUID)
    issue.add_argument("--officer", type=UUID)
    issue.add_argument("--towns", default=None, help="coordinator: town codes, comma-separated (default: the city)")
    issue.add_argument("--ttl-hours", type=float, default=8.0)
    args = parser.parse_args(argv)

    private, public = ensure_key_pair(args.dir)
    if args.command == "keys":
        print(f"private key: {private}\npublic key:  {public}")
        return
    issuer = TokenIssuer(private.read_bytes())
    try:
        print(
            issuer.issue(
                args.role,
                args.sub or f"demo-{args.role}",
                firm_id=args.firm,
                bank_id=args.bank,
                officer_id=args.officer,
                towns=tuple(args.towns.split(",")) if args.towns else None,
                ttl=timedelta(hours=args.ttl_hours),
            )
        )
    except ValueError as exc:
        parser.error(str(exc))
