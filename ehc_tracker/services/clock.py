"""The one place the services read the clock; the statutory engine never does."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in England, whatever the server's time zone."""
    return datetime.now(LONDON).date()
