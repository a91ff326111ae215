"""`lianrong-secrets --dir D`: the secrets of one installation, generated once, one directory per holder.

Containers (docker compose) and pods (Kubernetes) mount only their own directory, so no process holds another
service's database password or a key it does not use:

    D/<service>/<SERVICE>_DATABASE_URL   that service's database, with a password made here (read through
                                          LIANRONG_SECRETS_DIR, see settings.py)
    D/banks/jwt-private.pem               the token signing key (the banks service issues service-account tokens)
    D/jwt/jwt-public.pem                  the token verification key, for every API
    D/oversight/oversight-pseudonym.key   the key of oversight's pseudonyms
    D/postgres/<service>.password         what the database's first start creates the roles with
    D/postgres/postgres.password          the superuser's

Run again, it keeps what exists (a new password would lock the services out of their databases).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
from pathlib import Path

from lianrong_platform.auth.issue import ensure_key_pair

SERVICES = ("firms", "banks", "matcher", "oversight", "notifier")
APP_UID = 10001  # the image's user (Dockerfile)
POSTGRES_UID = 999  # the postgres image's user


def _write(path: Path, value: str, owner: int | None) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value)
    path.chmod(0o400)
    if owner is not None:
        os.chown(path, owner, owner)


def generate(directory: Path, *, db_host: str, db_port: int, owners: bool) -> None:
    app, pg = (APP_UID, POSTGRES_UID) if owners else (None, None)
    for service in SERVICES:
        password_file = directory / "postgres" / f"{service}.password"
        _write(password_file, secrets.token_urlsafe(24), pg)
        url = f"postgresql://{service}:{password_file.read_text()}@{db_host}:{db_port}/{service}"
        _write(directory / service / f"{service.upper()}_DATABASE_URL", url, app)
    _write(directory / "postgres" / "postgres.password", secrets.token_urlsafe(24), pg)
    _write(directory / "oversight" / "oversight-pseudonym.key", secrets.token_urlsafe(48), app)
    private, public = ensure_key_pair(directory / "banks")
    (directory / "jwt").mkdir(exist_ok=True)
    if not (directory / "jwt" / "jwt-public.pem").exists():
        shutil.copy(public, directory / "jwt" / "jwt-public.pem")
    for path in (private, public, directory / "jwt" / "jwt-public.pem"):
        if owners:
            os.chown(path, APP_UID, APP_UID)
    for holder in directory.iterdir():
        if owners:
            os.chown(holder, APP_UID if holder.name != "postgres" else POSTGRES_UID, 0)
        holder.chmod(0o500)


def main() -> None:
    parser = argparse.ArgumentParser(prog="lianrong-secrets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--db-host", default="postgres")
    parser.add_argument("--db-port", type=int, default=5432)
    parser.add_argument("--owners", action="store_true", help="give each file to the user that reads it (as root)")
    args = parser.parse_args()
    generate(args.dir, db_host=args.db_host, db_port=args.db_port, owners=args.owners)
    print(f"secrets in {args.dir}: {', '.join(sorted(p.name for p in args.dir.iterdir()))}")


if __name__ == "__main__":
    main()
