"""Which time limits of a case an exception can be proposed for, and which of the law's
exceptions can be chosen (the propose-an-exception form offers exactly these)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models.case import Case
from ..statutory.rules import ExceptionLimb
from ..statutory.rules import rule as statutory_rule


@dataclass(frozen=True)
class ExceptionChoices:
    milestones: list[tuple[str, str]]
    """(milestone key, "Label (due 3 March 2025) – source") of each time limit that has exceptions."""
    limbs: list[tuple[str, str]]
    """(limb, plain-English description) of each exception those time limits allow, in the law's order."""


def exception_choices(case: Case) -> ExceptionChoices:
    eligible: list[tuple[str, str]] = []
    for m in case.milestones:
        r = statutory_rule(m.key)
        if r.exception_limbs and m.key not in [k for k, _ in eligible]:
            eligible.append((m.key, f"{m.label} (due {m.due_on:%-d %B %Y}) – {r.source}"))
    limbs: dict[str, str] = {}
    for key, _ in eligible:
        for limb in statutory_rule(key).exception_limbs:
            limbs.setdefault(limb.value, limb.description)
    # In the law's order, by its plain-English description (the paragraph letter differs by limit).
    return ExceptionChoices(
        eligible, [(limb.value, limbs[limb.value]) for limb in ExceptionLimb if limb.value in limbs]
    )
