"""School years, national curriculum year groups and phase transfers (SEND Regulations 2014
reg 2(1) "transfer between phases of education", reg 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .errors import InvalidDateOrder, StatutoryError
from .rules import POST16_MOVE_RULE, due_on, phase_transfer_rule

__all__ = [
    "PhaseTransfer",
    "compulsory_school_age_ends",
    "national_curriculum_year",
    "next_phase_transfer",
    "post16_move_amend_by",
    "school_year_start_year",
    "year_group_name",
]

RECEPTION = 0
YEAR_3 = 3
YEAR_7 = 7
YEAR_12 = 12
SEPTEMBER = 9


def school_year_start_year(on: date) -> int:
    """The year whose September began the school year containing `on`."""
    return on.year if on.month >= SEPTEMBER else on.year - 1


def national_curriculum_year(date_of_birth: date, school_year_start_year: int) -> int:
    """Year group in the school year starting in September of `school_year_start_year`.

    Reception is 0, negative numbers are pre-school. A school year's cohort is born
    1 September to 31 August, so a child born 2015-08-31 is a year ahead of one born
    2015-09-01.
    """
    if date_of_birth.month >= SEPTEMBER:
        return school_year_start_year - date_of_birth.year - 5
    return school_year_start_year - date_of_birth.year - 4


def year_group_name(year_group: int) -> str:
    if year_group < RECEPTION:
        return "Early years"
    if year_group == RECEPTION:
        return "Reception"
    return f"Year {year_group}"


@dataclass(frozen=True)
class PhaseTransfer:
    """A September move between phases and the reg 18(1) date by which the plan must be
    reviewed and amended to name the new setting.
    """

    from_year_group: int
    to_year_group: int
    description: str
    moves_on: date
    amend_by: date
    source: str

    @property
    def to_post16(self) -> bool:
        """Secondary → post-16 (reg 18(1)(a), 31 March) rather than reg 18(1)(b) (15 February)."""
        return self.to_year_group == YEAR_12


def _transfers(infant_school: bool, middle_school_transfers: tuple[int, ...]) -> dict[int, str]:
    """Year group entered → kind of transfer, per reg 2(1)(a)–(f)."""
    transfers = {RECEPTION: "early years to school"}
    if infant_school:
        transfers[YEAR_3] = "infant to junior"
    if middle_school_transfers:
        for index, year_group in enumerate(sorted(middle_school_transfers)):
            transfers[year_group] = "primary to middle" if index == 0 else "middle to secondary"
    else:
        transfers[YEAR_7] = "primary to secondary"
    transfers[YEAR_12] = "secondary to post-16"
    return transfers


def next_phase_transfer(
    date_of_birth: date,
    today: date,
    *,
    year_group_override: int | None = None,
    infant_school: bool = False,
    middle_school_transfers: tuple[int, ...] = (),
    deadline_not_before: date | None = None,
) -> PhaseTransfer | None:
    """The child's next phase transfer whose 1 September move is after `today`, or None once
    the young person has entered Year 12 (reg 18(1) has no later September transfer; use
    `post16_move_amend_by` for moves between post-16 institutions).

    Transfers are into Reception, Year 3 (only where the child is at an infant school), the
    year groups of a local middle-school system, Year 7 and Year 12. `middle_school_transfers`
    are the year groups entered at a middle school and then a secondary (upper) school, e.g.
    (5, 9); when given they replace the Year 7 transfer, since a middle school has no Year 6 → 7
    move. `year_group_override` is the child's year group in the current school year, for a
    child educated out of their chronological year group; every later transfer shifts with it.

    `deadline_not_before` skips a transfer whose reg 18 date is already past on that day (a plan
    made, or reviewed, after 14 February for a move that September cannot meet the deadline: the
    duty that can still be met is the next transfer's).

    The Year 11 → 12 transfer uses the 31 March date of reg 18(1)(a) ("secondary school to a
    post-16 institution"); a young person staying on in the same school's sixth form may not be
    transferring at all, which is for the caseworker to judge.
    """
    if today < date_of_birth:
        raise InvalidDateOrder(f"Today ({today.isoformat()}) is before the date of birth {date_of_birth.isoformat()}.")
    bad = [g for g in middle_school_transfers if not RECEPTION < g < YEAR_12]
    if bad or len(set(middle_school_transfers)) != len(middle_school_transfers):
        raise StatutoryError(
            f"Middle-school transfers must be different year groups from 1 to 11, not {middle_school_transfers!r}."
        )
    this_year = school_year_start_year(today)
    current_group = (
        year_group_override if year_group_override is not None else national_curriculum_year(date_of_birth, this_year)
    )
    for to_group, kind in sorted(_transfers(infant_school, middle_school_transfers).items()):
        moves_on = date(this_year + to_group - current_group, SEPTEMBER, 1)
        if moves_on <= today:
            continue
        rule = phase_transfer_rule(post16=to_group == YEAR_12)
        amend_by = due_on(rule, moves_on)
        if deadline_not_before is not None and amend_by < deadline_not_before:
            continue
        from_group = to_group - 1
        return PhaseTransfer(
            from_year_group=from_group,
            to_year_group=to_group,
            description=f"{year_group_name(from_group)} to {year_group_name(to_group)} ({kind})",
            moves_on=moves_on,
            amend_by=amend_by,
            source=rule.source,
        )
    return None


def compulsory_school_age_ends(date_of_birth: date) -> date:
    """The last day of compulsory school age: the school leaving date (the last Friday in June)
    of the school year in which the child is in Year 11 by age (Education Act 1996 s8(3); The
    Education (School Leaving Date) Order 1997). From the next day the child is a "young person"
    (CFA 2014 s83(2)) who may request an assessment in their own right (s36(1)).
    """
    year_11_starts = date_of_birth.year + (16 if date_of_birth.month >= SEPTEMBER else 15)
    june_30 = date(year_11_starts + 1, 6, 30)
    return june_30 - timedelta(days=(june_30.weekday() - 4) % 7)


def post16_move_amend_by(move_on: date) -> date:
    """A move between post-16 institutions other than in September: the plan must be reviewed
    and amended at least 5 months before it, i.e. by `move_on` − 5 months (reg 18(2)).
    """
    return due_on(POST16_MOVE_RULE, move_on)
