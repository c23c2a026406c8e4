"""`flask alerts ...` and `flask scheduler`."""

from __future__ import annotations

import logging
from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from ..alerts import preferences
from ..alerts.digests import AlertSettings
from ..alerts.job import RunReport, run_alerts, run_due, send_outbox
from ..alerts.outbox import retry_failed as requeue_failed
from ..extensions import db
from ..models.alerts import JobRunStatus, JobTrigger
from ..services import ServiceError, clock
from .params import DATE

alerts = AppGroup(
    "alerts",
    help="""The daily alerts: due-soon and overdue digests, escalations, and the email outbox.

    The scheduler process (`flask scheduler`) runs these for you; run them by hand or from
    cron if you prefer (see the README).""",
)


def _echo_dry_run(report: RunReport) -> None:
    click.echo(report.summary)
    per_person: dict[str, int] = {}
    for alert in report.new_alerts:
        per_person[alert.recipient.email] = per_person.get(alert.recipient.email, 0) + 1
    for email, count in sorted(per_person.items()):
        click.echo(f"  alerts for {email}: {count}")
    for digest in report.digests:
        click.echo(f"  email to {digest.recipient.email}: {digest.subject}")


@alerts.command("run")
@click.option(
    "--date", "for_on", type=DATE, metavar="YYYY-MM-DD", help="The day to run for (default: today in TIME_ZONE)."
)
@click.option("--dry-run", is_flag=True, help="Show who would be told what, and write and send nothing.")
@click.option(
    "--catch-up",
    is_flag=True,
    help="Instead of one day, run every due day since the last successful run (at most ALERT_CATCH_UP_DAYS); for cron.",
)
@click.option("--no-send", is_flag=True, help="Record the alerts and queue the emails, but leave them in the outbox.")
def run_command(for_on: date | None, dry_run: bool, catch_up: bool, no_send: bool) -> None:
    """Record a day's alerts, queue one email digest per person, and send the outbox.

    Coordinators hear of the milestones due soon and overdue on their caseload, managers of
    those overdue in their teams (by coordinator), and the escalation recipients of those
    overdue too long. Safe to repeat: a day already done records and sends nothing more.
    Exit status 1 if a run failed.
    """
    now = clock.now()
    if catch_up:
        if for_on is not None or dry_run:
            raise click.UsageError("--catch-up works out the days itself; it cannot be used with --date or --dry-run.")
        reports = run_due(now, trigger=JobTrigger.COMMAND)
        if not reports:
            click.echo("Nothing to do: every due day has run.")
    else:
        reports = [run_alerts(for_on or clock.today(), now=now, dry_run=dry_run, send=not no_send)]
    for report in reports:
        if report.dry_run:
            _echo_dry_run(report)
        else:
            click.echo(report.summary)
    if any(r.status == JobRunStatus.FAILED for r in reports):
        raise SystemExit(1)


@alerts.command("send-outbox")
@click.option(
    "--all",
    "retry_all",
    is_flag=True,
    help="Try every pending message now, whatever its (or the mail server's) back-off.",
)
@click.option("--retry-failed", is_flag=True, help="First queue again the messages that were given up on.")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many.")
def send_outbox_command(retry_all: bool, retry_failed: bool, limit: int | None) -> None:
    """Send the emails waiting in the outbox (those whose next attempt is due).

    Each message is claimed before it is sent and marked sent in the same transaction, so
    running this alongside the scheduler sends nothing twice.
    """
    now = clock.now()
    if retry_failed:
        click.echo(f"{requeue_failed(now=now)} failed messages queued again.")
    report = send_outbox(now=now, retry_all=retry_all, limit=limit)
    click.echo(f"Outbox: {report.summary}.")


COMMAND_LINE = "command line (flask alerts escalations)"


@alerts.command("escalations")
@click.option(
    "--add", "add", multiple=True, metavar="EMAIL", help="Send escalations to this person's account (repeatable)."
)
@click.option(
    "--remove", "remove", multiple=True, metavar="EMAIL", help="Stop sending escalations to this account (repeatable)."
)
def escalations_command(add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """List, add or remove the people who receive escalations (the Head of Service).

    Addresses in ESCALATION_EMAILS receive them too. Changes are audited.
    """
    try:
        for email in add:
            preferences.set_receives_escalations(preferences.user_by_email(email), True, actor=None, label=COMMAND_LINE)
        for email in remove:
            preferences.set_receives_escalations(
                preferences.user_by_email(email), False, actor=None, label=COMMAND_LINE
            )
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    people = preferences.flagged_for_escalations()
    configured = AlertSettings.from_config(current_app.config).escalation_emails
    if not people and not configured:
        click.echo("Nobody receives escalations. Add someone with --add EMAIL or set ESCALATION_EMAILS.")
    for user in people:
        click.echo(f"{user.email} ({user.name}){'' if user.active else ' - deactivated, not sent'}")
    for email in configured:
        click.echo(f"{email} (ESCALATION_EMAILS)")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler process: the daily alerts at ALERT_TIME and the outbox every few minutes.

    Start exactly one, beside the web server (never inside it). On start it runs the days
    missed while it was down (at most ALERT_CATCH_UP_DAYS). Stops on SIGTERM or Ctrl-C.
    """
    from ..alerts.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Scheduler started ({datetime.now().astimezone():%Y-%m-%d %H:%M %Z}); Ctrl-C to stop.")
    run_scheduler(app)
