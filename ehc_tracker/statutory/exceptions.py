"""Exceptions to time limits (SEND Regulations 2014 reg 5(4), 8(2), 10(4), 13(3), 27(3)).

An exception never moves a due date: it records why a limit was missed lawfully, and the
milestone is left out of the "excluding exceptions" compliance figure. Nothing here takes or
returns a due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .errors import ExceptionLimbNotAllowed, ExceptionNotAllowed, InvalidDateOrder, StatutoryError
from .rules import ExceptionLimb, rule

__all__ = [
    "ExceptionLimb",
    "StatutoryException",
    "advice_request_in_closure_window",
    "validate_exception",
]

MINIMUM_CLOSURE = timedelta(weeks=4)
WEEK = timedelta(weeks=1)


def validate_exception(milestone_key: str, limb: ExceptionLimb) -> None:
    """Refuse an exception the law does not allow for this milestone.

    `ExceptionNotAllowed` for milestones with no exceptions at all (draft representations,
    every annual-review, phase-transfer, communication and dispute milestone);
    `ExceptionLimbNotAllowed` when the milestone has exceptions but not this one.
    """
    the_rule = rule(milestone_key)
    if not the_rule.exception_limbs:
        raise ExceptionNotAllowed(f"The law allows no exceptions for '{the_rule.label}' ({the_rule.source}).")
    if limb not in the_rule.exception_limbs:
        allowed = "; ".join(f"({the_rule.limb_letter(x)}) {x.description.lower()}" for x in the_rule.exception_limbs)
        raise ExceptionLimbNotAllowed(
            f"'{limb.description}' is not an exception for '{the_rule.label}'. "
            f"{the_rule.exception_source} allows only: {allowed}."
        )


@dataclass(frozen=True)
class StatutoryException:
    """An exception recorded against a milestone; validated when made.

    `ends_on` is None while the circumstance continues.
    """

    milestone_key: str
    limb: ExceptionLimb
    starts_on: date
    ends_on: date | None
    reason: str

    def __post_init__(self) -> None:
        validate_exception(self.milestone_key, self.limb)
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise InvalidDateOrder(
                f"The exception ends on {self.ends_on.isoformat()}, before it starts on {self.starts_on.isoformat()}."
            )
        if not self.reason.strip():
            raise StatutoryError("Say why the exception applies.")

    @property
    def citation(self) -> str:
        """The paragraph relied on, e.g. "SEND Regulations 2014 reg 10(4)(c)"."""
        return rule(self.milestone_key).limb_citation(self.limb)


def advice_request_in_closure_window(requested_on: date, closes_on: date, reopens_on: date) -> bool:
    """Whether advice asked of a school or early years provider on `requested_on` falls in
    the reg 10(4)(a)/(b) (and reg 5(4)(a), 27(3)(a)/(b)) closure window.

    `closes_on` is the first day closed and `reopens_on` the first day open again, so the
    closure lasts `reopens_on − closes_on` days and must be at least 4 continuous weeks
    (28 days). The window runs "from one week before [the closure] ... ending one week before
    the date on which it re-opens": both ends are included, i.e.
    closes_on − 7 ≤ requested_on ≤ reopens_on − 7.
    """
    if reopens_on <= closes_on:
        raise InvalidDateOrder(
            f"The setting reopens on {reopens_on.isoformat()}, not after it closes on {closes_on.isoformat()}."
        )
    if reopens_on - closes_on < MINIMUM_CLOSURE:
        return False
    return closes_on - WEEK <= requested_on <= reopens_on - WEEK
