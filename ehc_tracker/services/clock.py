"""The one place the services read the clock, and the one place the service's time zone is
decided (TIME_ZONE, default Europe/London); the statutory engine never does either."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# The zone used outside the app, and when TIME_ZONE is not set (config.py declares TIME_ZONE).
DEFAULT_TIME_ZONE = "Europe/London"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_for(config: Mapping[str, Any]) -> ZoneInfo:
    """The time zone a configuration names in TIME_ZONE (default Europe/London)."""
    return _zone(str(config.get("TIME_ZONE") or DEFAULT_TIME_ZONE))


def local_zone() -> ZoneInfo:
    """The service's time zone: the app's TIME_ZONE, or Europe/London outside an app."""
    if has_app_context():
        return zone_for(current_app.config)
    return _zone(DEFAULT_TIME_ZONE)


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the service's time zone (England's), whatever the server's time zone."""
    return datetime.now(local_zone()).date()
