"""`python -m oversight migrate|api|consumer|relay`"""

from __future__ import annotations

from lianrong_platform.service import main as run
from oversight.bootstrap import SPEC


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
