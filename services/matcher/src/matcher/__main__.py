"""`python -m matcher migrate|api|consumer|relay`, and `python -m matcher plan [seconds]` (a dry-run re-plan)."""

from __future__ import annotations

import sys

from lianrong_platform.service import main as run
from matcher.bootstrap import SPEC


def main() -> None:
    if sys.argv[1:2] == ["plan"]:
        from matcher.plan import main as plan

        plan(sys.argv[2:])
        return
    run(SPEC)


if __name__ == "__main__":
    main()
