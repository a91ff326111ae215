"""`python -m notifier migrate|api|consumer|relay|sender`"""

from __future__ import annotations

from lianrong_platform.service import main as run
from notifier.bootstrap import SPEC


def main() -> None:
    run(SPEC)


if __name__ == "__main__":
    main()
