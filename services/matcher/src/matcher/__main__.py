"""`python -m matcher migrate|api|consumer|relay`, `python -m matcher plan [seconds] [--apply]` (a re-plan: a dry
run, or made), and `python -m matcher explain <need_id>… | --all` (each recorded decision, replayed)."""

from __future__ import annotations

import sys

from lianrong_platform.service import main as run
from matcher.bootstrap import SPEC


def main() -> None:
    if sys.argv[1:2] == ["plan"]:
        from matcher.plan import main as plan

        plan(sys.argv[2:])
        return
    if sys.argv[1:2] == ["explain"]:
        from matcher.explain import main as explain

        explain(sys.argv[2:])
        return
    run(SPEC)


if __name__ == "__main__":
    main()
