"""`python -m ehc_tracker.scheduler`: the scheduler process, the same as `flask scheduler`.

Reads its configuration from the environment like the web app (EHC_ENV, DATABASE_URL, ...).
"""

from __future__ import annotations

import logging


def main() -> None:
    from . import create_app
    from .alerts.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_scheduler(create_app())


if __name__ == "__main__":
    main()
