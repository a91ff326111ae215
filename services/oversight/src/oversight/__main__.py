"""`python -m oversight migrate|api|consumer|relay`"""

from __future__ import annotations

import sys

from lianrong_platform.service import main as run
from oversight.bootstrap import SETTINGS, SPEC


def main() -> None:
    if sys.argv[1:2] == ["consumer"]:
        SETTINGS.key()  # refuse to start without the installation's pseudonym secret
    run(SPEC)


if __name__ == "__main__":
    main()
