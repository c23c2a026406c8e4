"""Domain errors of the deadline engine.

Every error is a `ValueError`, so a service can turn any of them into a form error or a 400
without knowing the engine's internals.
"""

from __future__ import annotations


class StatutoryError(ValueError):
    """Base class: the input cannot produce a lawful deadline."""


class UnknownMilestone(StatutoryError):
    """No rule has this milestone key."""


class ExceptionNotAllowed(StatutoryError):
    """The law allows no exception to this milestone's time limit."""


class ExceptionLimbNotAllowed(StatutoryError):
    """The milestone allows exceptions, but not under this limb."""


class InvalidDateOrder(StatutoryError):
    """Two dates are the wrong way round (e.g. a plan reviewed before it was transferred)."""


class InvalidSetting(StatutoryError):
    """A local setting (weeks, months, lead time) is out of range."""


class InvalidPeriod(StatutoryError):
    """A count of days, weeks or months that the rule cannot use (e.g. 0 working days)."""


class MissingAnchor(StatutoryError):
    """A rule needs a second date that was not given."""
