"""`flask deadlines PROCESS --from DATE`: the statutory milestones of a process, as a table
or JSON. Registered on the Flask CLI by ehc_tracker/cli/__init__.py; Flask is imported only to
find the council's working-day calendar when an application context exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from ..statutory import (
    DEFAULT_SETTINGS,
    ENGLAND_CALENDAR,
    Milestone,
    PhaseTransfer,
    StatutoryError,
    StatutorySettings,
    WorkingDayCalendar,
    advice_milestones,
    amendment_milestones,
    appeal_milestones,
    assessment_milestones,
    communication_milestones,
    consultation_milestones,
    draft_plan_milestones,
    mediation_agreement_milestones,
    mediation_milestones,
    order_milestones,
    phase_transfer_milestone,
    reassessment_milestones,
    review_meeting_milestones,
    review_milestones,
    transfer_in_milestones,
    tribunal_response_milestones,
    unopposed_milestones,
)
from ..statutory.milestones import MEDIATION_AGREEMENT_KINDS, ORDER_KINDS
from .params import DATE


class _InputError(click.ClickException):
    """Bad input, shown as one line ("Error: ...") with the usage-error exit status 2."""

    exit_code = 2


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


class _OneLineErrorCommand(click.Command):
    """A command whose usage errors and domain errors print as a single line on stderr.

    click's UsageError prints the usage and a "Try --help" hint before the error; scripts and
    people both read one line better. Works standalone and as a `flask` subcommand.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _InputError(_one_line(error.format_message())) from error

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _InputError(_one_line(error.format_message())) from error
        except StatutoryError as error:
            raise _InputError(_one_line(str(error))) from error


def _calendar() -> WorkingDayCalendar:
    """The council's calendar (bank holidays + local non-working days) inside the Flask app,
    else England & Wales bank holidays only.
    """
    try:
        from flask import has_app_context
    except ImportError:  # pragma: no cover - Flask is a runtime dependency
        return ENGLAND_CALENDAR
    if has_app_context():
        from sqlalchemy.exc import SQLAlchemyError

        from ehc_tracker.extensions import db
        from ehc_tracker.services.calendar import working_day_calendar

        try:
            return working_day_calendar()
        except SQLAlchemyError:
            db.session.rollback()
            click.echo(
                "Note: the database is not set up (run 'flask db upgrade'), so the council's local "
                "non-working days are not counted; bank holidays are.",
                err=True,
            )
    return ENGLAND_CALENDAR


@dataclass(frozen=True)
class _Inputs:
    from_on: date
    settings: StatutorySettings
    extra_non_working_days: tuple[date, ...]
    date_of_birth: date | None
    last_reviewed_on: date | None
    mediation_certificate_on: date | None
    mediation_ended_on: date | None
    reassessment_notified_on: date | None
    year_group: int | None
    infant_school: bool
    middle_school_transfers: tuple[int, ...]
    kinds: tuple[str, ...] = ()
    response_set_on: date | None = None

    def calendar(self) -> WorkingDayCalendar:
        calendar = _calendar()
        if self.extra_non_working_days:
            calendar = calendar.with_extra_non_working_days(self.extra_non_working_days)
        return calendar


@dataclass(frozen=True)
class _Process:
    title: str
    date_meaning: str
    milestones: Callable[[_Inputs], list[Milestone]]
    options: tuple[str, ...] = ()  # process-specific options it accepts
    required: tuple[str, ...] = ()


def _phase_transfer(inputs: _Inputs) -> tuple[PhaseTransfer, Milestone] | None:
    assert inputs.date_of_birth is not None
    return phase_transfer_milestone(
        inputs.date_of_birth,
        inputs.from_on,
        year_group_override=inputs.year_group,
        infant_school=inputs.infant_school,
        middle_school_transfers=inputs.middle_school_transfers,
    )


def _phase_transfer_milestones(inputs: _Inputs) -> list[Milestone]:
    found = _phase_transfer(inputs)
    return [] if found is None else [found[1]]


def _transfer_in(inputs: _Inputs) -> list[Milestone]:
    assert inputs.last_reviewed_on is not None
    return transfer_in_milestones(
        inputs.from_on,
        last_reviewed_on=inputs.last_reviewed_on,
        date_of_birth=inputs.date_of_birth,
        settings=inputs.settings,
    )


PROCESSES: dict[str, _Process] = {
    "assessment": _Process("EHC needs assessment", "request received", lambda i: assessment_milestones(i.from_on)),
    "advice": _Process("Advice request", "advice requested", lambda i: advice_milestones(i.from_on)),
    "draft-plan": _Process("Draft EHC plan", "draft plan served", lambda i: draft_plan_milestones(i.from_on)),
    "consultation": _Process(
        "School or college consultation",
        "consultation sent",
        lambda i: consultation_milestones(i.from_on),
    ),
    "reassessment": _Process(
        "Reassessment",
        "request for a reassessment received",
        lambda i: reassessment_milestones(i.from_on, notified_on=i.reassessment_notified_on),
        options=("reassessment_notified_on",),
    ),
    "review": _Process(
        "Annual review",
        "plan made or last reviewed",
        lambda i: review_milestones(i.from_on, date_of_birth=i.date_of_birth, settings=i.settings),
        options=("date_of_birth",),
    ),
    "review-meeting": _Process(
        "Annual review meeting",
        "review meeting",
        lambda i: review_meeting_milestones(i.from_on, settings=i.settings),
    ),
    "amendment": _Process(
        "Proposed amendments",
        "proposed amendments sent",
        lambda i: amendment_milestones(i.from_on),
    ),
    "phase-transfer": _Process(
        "Next phase transfer",
        "today",
        _phase_transfer_milestones,
        options=("date_of_birth", "year_group", "infant_school", "middle_school_transfers"),
        required=("date_of_birth",),
    ),
    "communication": _Process(
        "Communication",
        "communication received",
        lambda i: communication_milestones(i.from_on, calendar=i.calendar()),
    ),
    "appeal": _Process(
        "Appeal to the Tribunal",
        "decision letter sent",
        lambda i: appeal_milestones(i.from_on, mediation_certificate_on=i.mediation_certificate_on),
        options=("mediation_certificate_on",),
    ),
    "mediation": _Process(
        "Mediation",
        "local authority told the family wants mediation",
        lambda i: mediation_milestones(i.from_on, ended_on=i.mediation_ended_on, calendar=i.calendar()),
        options=("mediation_ended_on",),
    ),
    "transfer-in": _Process(
        "EHC plan transferred in",
        "transfer",
        _transfer_in,
        options=("last_reviewed_on", "date_of_birth"),
        required=("last_reviewed_on",),
    ),
    "tribunal-response": _Process(
        "Response to an appeal",
        "tribunal sent the appeal to the council",
        lambda i: tribunal_response_milestones(i.from_on, response_set_on=i.response_set_on, calendar=i.calendar()),
        options=("response_set_on",),
    ),
    "unopposed": _Process(
        "Appeal not opposed",
        "council told the tribunal it will not oppose",
        lambda i: unopposed_milestones(i.from_on, kinds=i.kinds),
        options=("kinds",),
    ),
    "order": _Process(
        "Tribunal order",
        "order made",
        lambda i: order_milestones(i.from_on, kinds=i.kinds),
        options=("kinds",),
    ),
    "mediation-agreement": _Process(
        "Mediation agreement",
        "mediation agreement made",
        lambda i: mediation_agreement_milestones(i.from_on, kinds=i.kinds),
        options=("kinds",),
    ),
}

_OPTION_FLAGS = {
    "date_of_birth": "--date-of-birth",
    "last_reviewed_on": "--last-reviewed",
    "mediation_certificate_on": "--mediation-certificate",
    "mediation_ended_on": "--mediation-ended",
    "reassessment_notified_on": "--notified",
    "year_group": "--year-group",
    "infant_school": "--infant-school",
    "middle_school_transfers": "--middle-school-transfer",
    "kinds": "--kind",
    "response_set_on": "--response-date",
}


def _header(process: str, from_on: date) -> str:
    spec = PROCESSES[process]
    when = f"{from_on.isoformat()} ({from_on:%A})"
    if process == "phase-transfer":
        return f"{spec.title} as at {when}"
    return f"{spec.title} from {spec.date_meaning} on {when}"


def _table(milestones: Sequence[Milestone]) -> list[str]:
    headings = ("Milestone", "Key", "Due", "Weekday", "Source")
    rows = [(m.label, m.key, m.due_on.isoformat(), f"{m.due_on:%a}", m.source) for m in milestones]
    widths = [max(len(row[c]) for row in [headings, *rows]) for c in range(len(headings))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    return [line(headings), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def _check_options(process: str, given: dict[str, object]) -> None:
    spec = PROCESSES[process]
    for name, value in given.items():
        if value not in (None, False, ()) and name not in spec.options:
            raise click.UsageError(f"{_OPTION_FLAGS[name]} does not apply to {process}.")
    for name in spec.required:
        if given.get(name) is None:
            raise click.UsageError(f"{process} needs {_OPTION_FLAGS[name]}.")


_HELP = """Print the statutory milestones of PROCESS, counted from --from DATE.

\b
PROCESS and what DATE means:
  assessment      request for an EHC needs assessment received
  advice          advice requested from a professional
  draft-plan      draft EHC plan served on the family
  consultation    consultation sent to a school or college
  reassessment    request for a reassessment received (--notified DATE: the
                  day the family was told the council will reassess)
  review          plan made or last reviewed (--date-of-birth: under-5 rule)
  review-meeting  annual review meeting held
  amendment       proposed amendments sent to the family
  phase-transfer  today (--date-of-birth required; --year-group N for a child
                  educated out of year group; --infant-school;
                  --middle-school-transfer N, repeatable)
  communication   communication received from a parent or professional
  appeal          decision letter sent (--mediation-certificate DATE); an end
                  on a non-working day, 25 Dec-1 Jan or in August runs on
                  (Tribunal Rules r.12)
  mediation       council told the family wants mediation (--mediation-ended DATE)
  transfer-in     plan transferred from another council (--last-reviewed DATE
                  required; --date-of-birth optional)
  tribunal-response
                  tribunal sent the appeal to the council: the response is due
                  30 working days later, 25 Dec-1 Jan and August not counted
                  (--response-date DATE: the date the tribunal set instead)
  order           tribunal order made (reg 44); --kind picks what it orders
                  (repeatable): assessment, plan, amend (B/F), school (I),
                  continue, cease; without --kind, every kind is listed
  unopposed       council told the tribunal it will not oppose the appeal
                  (reg 45); --kind as for order, except cease
  mediation-agreement
                  mediation agreement made (reg 42); --kind as for order, or
                  other (an action the family cannot appeal: 2 weeks)

Periods after an order, an unopposed appeal or a mediation agreement are
calendar weeks, never moved off a weekend or holiday.

Dates are YYYY-MM-DD. Statutory working days skip weekends and England & Wales
bank holidays (Christmas Day and Good Friday among them). The council's local
non-working days, and any --non-working-day DATE, count only for the local
5-working-day response (communication), never for a statutory limit.

\b
Examples:
  flask deadlines assessment --from 2025-01-06
  flask deadlines phase-transfer --from 2025-10-01 --date-of-birth 2015-03-14 --json
"""


@click.command("deadlines", cls=_OneLineErrorCommand, help=_HELP)
@click.argument("process", type=click.Choice(list(PROCESSES)), metavar="PROCESS")
@click.option(
    "--from", "from_on", type=DATE, required=True, metavar="DATE", help="The date the process runs from (see above)."
)
@click.option(
    "--date-of-birth", type=DATE, metavar="DATE", help="Child's date of birth (review, phase-transfer, transfer-in)."
)
@click.option(
    "--last-reviewed", "last_reviewed_on", type=DATE, metavar="DATE", help="Plan made or last reviewed (transfer-in)."
)
@click.option(
    "--mediation-certificate",
    "mediation_certificate_on",
    type=DATE,
    metavar="DATE",
    help="Mediation certificate issued (appeal).",
)
@click.option(
    "--mediation-ended",
    "mediation_ended_on",
    type=DATE,
    metavar="DATE",
    help="Mediation ended: certificate due 3 working days later (mediation).",
)
@click.option(
    "--notified",
    "reassessment_notified_on",
    type=DATE,
    metavar="DATE",
    help="Family told the council will reassess: the 14 weeks run from here (reassessment).",
)
@click.option(
    "--year-group",
    type=int,
    metavar="N",
    help="Child's year group this school year, if out of year group (phase-transfer; Reception = 0).",
)
@click.option(
    "--infant-school",
    is_flag=True,
    help="The child is at an infant school, so moves to junior school in Year 3 (phase-transfer).",
)
@click.option(
    "--middle-school-transfer",
    "middle_school_transfers",
    type=int,
    multiple=True,
    metavar="N",
    help="Year group entered at a middle, then secondary, school, e.g. 5 and 9; replaces Year 7 (phase-transfer).",
)
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(list(MEDIATION_AGREEMENT_KINDS | ORDER_KINDS)),
    multiple=True,
    help="What the order, unopposed appeal or mediation agreement requires (repeatable).",
)
@click.option(
    "--response-date",
    "response_set_on",
    type=DATE,
    metavar="DATE",
    help="The response date the tribunal set in its registration letter (tribunal-response).",
)
@click.option(
    "--review-decision-weeks",
    type=int,
    default=DEFAULT_SETTINGS.review_decision_weeks,
    show_default=True,
    help="Weeks from review meeting to decision (reg 20(10)).",
)
@click.option(
    "--amended-plan-weeks",
    type=int,
    default=DEFAULT_SETTINGS.amended_plan_weeks,
    show_default=True,
    help="Weeks from review meeting to amended plan (reg 22(3), Devon [2022]).",
)
@click.option(
    "--under-five-months",
    type=int,
    default=DEFAULT_SETTINGS.under_five_review_months,
    show_default=True,
    help="Review period in months for a child under 5 (CoP 9.178).",
)
@click.option(
    "--non-working-day",
    "non_working_days",
    type=DATE,
    multiple=True,
    metavar="DATE",
    help="An extra local non-working day (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def deadlines(
    process: str,
    from_on: date,
    date_of_birth: date | None,
    last_reviewed_on: date | None,
    mediation_certificate_on: date | None,
    mediation_ended_on: date | None,
    reassessment_notified_on: date | None,
    year_group: int | None,
    infant_school: bool,
    middle_school_transfers: tuple[int, ...],
    kinds: tuple[str, ...],
    response_set_on: date | None,
    review_decision_weeks: int,
    amended_plan_weeks: int,
    under_five_months: int,
    non_working_days: tuple[date, ...],
    as_json: bool,
) -> None:
    _check_options(
        process,
        {
            "date_of_birth": date_of_birth,
            "last_reviewed_on": last_reviewed_on,
            "mediation_certificate_on": mediation_certificate_on,
            "mediation_ended_on": mediation_ended_on,
            "reassessment_notified_on": reassessment_notified_on,
            "year_group": year_group,
            "infant_school": infant_school,
            "middle_school_transfers": middle_school_transfers,
            "kinds": kinds,
            "response_set_on": response_set_on,
        },
    )
    inputs = _Inputs(
        from_on=from_on,
        settings=StatutorySettings(
            review_decision_weeks=review_decision_weeks,
            amended_plan_weeks=amended_plan_weeks,
            under_five_review_months=under_five_months,
        ),
        extra_non_working_days=non_working_days,
        date_of_birth=date_of_birth,
        last_reviewed_on=last_reviewed_on,
        mediation_certificate_on=mediation_certificate_on,
        mediation_ended_on=mediation_ended_on,
        reassessment_notified_on=reassessment_notified_on,
        year_group=year_group,
        infant_school=infant_school,
        middle_school_transfers=middle_school_transfers,
        kinds=kinds,
        response_set_on=response_set_on,
    )
    milestones = PROCESSES[process].milestones(inputs)
    found = _phase_transfer(inputs) if process == "phase-transfer" else None

    if as_json:
        document: dict[str, Any] = {"process": process, "from": from_on.isoformat()}
        if process == "phase-transfer":
            document["transfer"] = (
                None
                if found is None
                else {
                    "description": found[0].description,
                    "from_year_group": found[0].from_year_group,
                    "to_year_group": found[0].to_year_group,
                    "moves_on": found[0].moves_on.isoformat(),
                }
            )
        document["milestones"] = [
            {"key": m.key, "label": m.label, "due": m.due_on.isoformat(), "source": m.source} for m in milestones
        ]
        click.echo(json.dumps(document, indent=2))
        return

    click.echo(_header(process, from_on))
    if process == "phase-transfer":
        if found is None:
            click.echo("No phase transfer left: the young person has already moved into Year 12.")
            click.echo(
                "For a move between post-16 institutions, amend the plan at least 5 months before it (reg 18(2))."
            )
            return
        transfer = found[0]
        click.echo(
            f"Next transfer: {transfer.description}, moving on {transfer.moves_on.isoformat()} ({transfer.moves_on:%A})"
        )
    click.echo()
    for row in _table(milestones):
        click.echo(row)
