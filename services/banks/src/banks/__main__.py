"""`python -m banks migrate|api|consumer|relay`"""

from __future__ import annotations

from banks.bootstrap import SPEC
from lianrong_platform.service import main as run


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
