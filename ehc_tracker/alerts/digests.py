"""Who is told what: the alerts of a day, and the one email digest per person that carries them.

A digest puts first what is new since the person's last digest (steps that have become
overdue, family messages that have come in and, for managers, exceptions proposed and cases left
without a coordinator), then counts the rest per step with links to the overdue list; managers'
digests carry their three queues (services/worklist.py) as counts with links. Days overdue are
calendar days, as on the pages; the wait for a reply is in working days, as on the home page.

- A case's coordinator hears of its milestones due soon (within ALERT_DUE_SOON_DAYS) and
  overdue, every day they stay so.
- Each manager of the case's team hears of its overdue milestones, grouped by coordinator.
- The escalation recipients (people flagged in their alert preferences by an administrator, and
  ESCALATION_EMAILS) hear once of each milestone overdue too long: at once for the keys in
  ESCALATION_IMMEDIATE_KEYS (the 20-week final plan, reg 13(2) SEND Regulations 2014), or when
  more than ESCALATION_WORKING_DAYS working days overdue. Not where an approved exception applies.

A milestone is overdue on day D when it is unmet, not a period, on an open case, and due
before D. Email digests follow each person's preference (daily, weekly or off); escalations are
always sent. Subjects carry counts and the date only, never a child's name; bodies name a child
by first name and initial, with the case number.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AlertKind, AlertPreference, DigestFrequency, Role, User
from ..models.case import Case, Milestone
from ..models.child import Child
from ..services.email_addresses import email_address_problem, valid_email_address
from ..services.milestones import still_possible
from ..services.open_steps import open_step
from ..services.worklist import MessageRow, QueueCounts, new_family_messages, queue_counts
from ..statutory.calendar import WorkingDayCalendar
from ..statutory.rules import DISPUTE_RULES, RULES
from ..statutory.status import DEFAULT_DUE_SOON_DAYS

log = logging.getLogger(__name__)


def _usable_addresses(items: Iterable[str]) -> tuple[str, ...]:
    """ESCALATION_EMAILS, normalised. The app refuses to start with an address that cannot be sent
    to; one that slips in later (a setting changed at run time) is left out and logged, so that
    it cannot hold up everyone else's email."""
    found: list[str] = []
    for item in items:
        problem = email_address_problem(item)
        if problem is not None:
            log.error("ESCALATION_EMAILS: %r left out: %s", item, problem)
            continue
        found.append(valid_email_address(item))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class AlertSettings:
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS
    weekly_day: int = 0
    escalation_working_days: int = 10
    immediate_keys: frozenset[str] = frozenset({"final_plan", "final_plan_after_reassessment"})
    escalation_emails: tuple[str, ...] = ()
    base_url: str = "http://127.0.0.1:5000"
    service_name: str = "EHC Tracker"
    skip_non_working_days: bool = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AlertSettings:
        def _list(value: Any) -> tuple[str, ...]:
            if isinstance(value, str):
                value = value.split(",")
            return tuple(v.strip() for v in value or () if v and v.strip())

        return cls(
            due_soon_days=int(config.get("ALERT_DUE_SOON_DAYS", DEFAULT_DUE_SOON_DAYS)),
            weekly_day=int(config.get("ALERT_WEEKLY_DAY", 0)) % 7,
            escalation_working_days=int(config.get("ESCALATION_WORKING_DAYS", 10)),
            immediate_keys=frozenset(_list(config.get("ESCALATION_IMMEDIATE_KEYS", ""))),
            escalation_emails=_usable_addresses(_list(config.get("ESCALATION_EMAILS", ""))),
            base_url=str(config.get("BASE_URL", "")).rstrip("/"),
            service_name=str(config.get("SERVICE_NAME", "EHC Tracker")),
            skip_non_working_days=bool(config.get("ALERT_SKIP_NON_WORKING_DAYS", True)),
        )


@dataclass(frozen=True)
class Recipient:
    key: str  # "u12" for an account, "e:address" for an escalation address without one
    email: str
    name: str
    user_id: int | None
    digest: DigestFrequency


@dataclass(frozen=True)
class Item:
    milestone_id: int
    milestone_key: str
    case_id: int
    label: str
    due_on: date
    working_days_overdue: int
    exception_applies: bool
    # Calendar days, the unit the pages use ("3 days overdue"); working days decide escalations.
    days_overdue: int
    child: str  # first name and initial only
    coordinator_id: int | None
    coordinator_name: str

    @property
    def case_ref(self) -> str:
        return f"Case {self.case_id}"


@dataclass(frozen=True)
class PlannedAlert:
    kind: AlertKind
    recipient: Recipient
    item: Item
    for_on: date

    @property
    def dedupe_key(self) -> str:
        if self.kind is AlertKind.ESCALATION:
            # Once per milestone and due date: a moved due date that is missed again escalates again.
            return f"escalation:m{self.item.milestone_id}:due{self.item.due_on.isoformat()}:{self.recipient.key}"
        return f"{self.kind.value}:m{self.item.milestone_id}:{self.recipient.key}:{self.for_on.isoformat()}"


@dataclass
class Digest:
    recipient: Recipient
    for_on: date
    alerts: list[PlannedAlert]
    weekly: bool
    # The day of the person's previous digest: what has happened since is "new".
    since: date | None = None
    queues: QueueCounts | None = None
    new_messages: list[MessageRow] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        return f"digest:{self.for_on.isoformat()}:{self.recipient.key}"


def short_name(first_name: str, last_name: str) -> str:
    """ "Alex T.": enough for a coordinator to recognise, little for anyone else."""
    initial = last_name.strip()[:1].upper()
    return f"{first_name.strip()} {initial}." if initial else first_name.strip()


def is_weekly_digest_day(day: date, weekly_day: int, calendar: WorkingDayCalendar) -> bool:
    """The first working day of the week on or after `weekly_day` (Monday, or Tuesday after a bank holiday)."""
    if not calendar.is_working_day(day):
        return False
    offset = (day.weekday() - weekly_day) % 7
    start = day - timedelta(days=offset)
    return not any(calendar.is_working_day(start + timedelta(days=i)) for i in range(offset))


def _recipient(user: User, preferences: Mapping[int, AlertPreference]) -> Recipient:
    preference = preferences.get(user.id)
    return Recipient(
        key=f"u{user.id}",
        email=user.email,
        name=user.name,
        user_id=user.id,
        digest=preference.digest if preference is not None else DigestFrequency.DAILY,
    )


def escalation_recipients(
    settings: AlertSettings, users: Iterable[User], preferences: Mapping[int, AlertPreference]
) -> list[Recipient]:
    """Active people flagged for escalations, then ESCALATION_EMAILS (matched to accounts where they exist)."""
    by_email = {u.email: u for u in users if u.active and u.role in Role.staff()}
    found: dict[str, Recipient] = {}
    for user in by_email.values():
        preference = preferences.get(user.id)
        if preference is not None and preference.receives_escalations:
            found[f"u{user.id}"] = _recipient(user, preferences)
    for email in settings.escalation_emails:
        account = by_email.get(email)
        if account is not None:
            found.setdefault(f"u{account.id}", _recipient(account, preferences))
        else:
            found.setdefault(
                f"e:{email}",
                Recipient(key=f"e:{email}", email=email, name="", user_id=None, digest=DigestFrequency.OFF),
            )
    return list(found.values())


def plan_alerts(for_on: date, settings: AlertSettings, calendar: WorkingDayCalendar) -> list[PlannedAlert]:
    """Every alert day `for_on` calls for, recorded before or not (the ledger decides)."""
    horizon = for_on + timedelta(days=settings.due_soon_days)
    rows = db.session.execute(
        select(Milestone, Milestone.coordinator_id, Milestone.team_id, Child.first_name, Child.last_name)
        .join(Case, Milestone.case_id == Case.id)
        .join(Child, Case.child_id == Child.id)
        .where(
            *open_step(),
            still_possible(for_on),
            Milestone.due_on <= horizon,
        )
        .order_by(Milestone.due_on, Milestone.case_id, Milestone.id)
    ).all()
    users = list(db.session.scalars(select(User).options(selectinload(User.teams))))
    everyone = {u.id: u for u in users}
    active = {u.id: u for u in users if u.active}
    preferences = {p.user_id: p for p in db.session.scalars(select(AlertPreference))}
    managers: dict[int, list[User]] = defaultdict(list)
    for user in active.values():
        if user.role is Role.MANAGER:
            for team in user.teams:
                managers[team.id].append(user)
    escalate_to = escalation_recipients(settings, users, preferences)

    planned: dict[str, PlannedAlert] = {}

    def add(kind: AlertKind, recipient: Recipient, item: Item) -> None:
        alert = PlannedAlert(kind, recipient, item, for_on)
        planned.setdefault(alert.dedupe_key, alert)

    for milestone, coordinator_id, team_id, first_name, last_name in rows:
        overdue = milestone.due_on < for_on
        coordinator = active.get(coordinator_id) if coordinator_id is not None else None
        named = everyone.get(coordinator_id) if coordinator_id is not None else None
        item = Item(
            milestone_id=milestone.id,
            milestone_key=milestone.key,
            case_id=milestone.case_id,
            label=milestone.label,
            due_on=milestone.due_on,
            working_days_overdue=calendar.working_days_between(milestone.due_on, for_on) if overdue else 0,
            exception_applies=milestone.exception_applies,
            days_overdue=(for_on - milestone.due_on).days if overdue else 0,
            child=short_name(first_name, last_name),
            coordinator_id=coordinator_id,
            coordinator_name=named.name if named is not None else "Not assigned",
        )
        if coordinator is not None:
            add(AlertKind.OVERDUE if overdue else AlertKind.DUE_SOON, _recipient(coordinator, preferences), item)
        if not overdue:
            continue
        for manager in managers.get(team_id, []):
            add(AlertKind.OVERDUE, _recipient(manager, preferences), item)
        if not milestone.exception_applies and (
            milestone.key in settings.immediate_keys or item.working_days_overdue > settings.escalation_working_days
        ):
            for recipient in escalate_to:
                add(AlertKind.ESCALATION, recipient, item)
    return list(planned.values())


def previous_digest_on(
    for_on: date, frequency: DigestFrequency, settings: AlertSettings, calendar: WorkingDayCalendar
) -> date:
    """The day of the digest before the one for `for_on`: the previous working day (or simply
    the day before, where digests go every day), or for a weekly digest the previous week's day."""
    day = for_on - timedelta(days=1)
    for _ in range(21):
        if frequency is DigestFrequency.WEEKLY:
            if is_weekly_digest_day(day, settings.weekly_day, calendar):
                return day
        elif not settings.skip_non_working_days or calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    return for_on - timedelta(days=7 if frequency is DigestFrequency.WEEKLY else 1)


def _managers_with_queues(for_on: date) -> list[User]:
    """Active managers in a team: their digests carry the queues even on a day with no alerts."""
    managers = db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.MANAGER).options(selectinload(User.teams))
    )
    return [m for m in managers if m.team_ids]


def build_digests(
    alerts: Iterable[PlannedAlert], for_on: date, settings: AlertSettings, calendar: WorkingDayCalendar
) -> list[Digest]:
    """One digest per person for the day, of the alerts their preference lets through, with what
    is new since their last digest; managers' with their queues (and a digest of the queues alone
    when they have items but no alerts)."""
    by_recipient: dict[str, list[PlannedAlert]] = defaultdict(list)
    recipients: dict[str, Recipient] = {}
    for alert in alerts:
        by_recipient[alert.recipient.key].append(alert)
        recipients.setdefault(alert.recipient.key, alert.recipient)
    preferences = {p.user_id: p for p in db.session.scalars(select(AlertPreference))}
    managers = {f"u{m.id}": m for m in _managers_with_queues(for_on)}
    for key, manager in managers.items():
        recipients.setdefault(key, _recipient(manager, preferences))
    weekly_day = is_weekly_digest_day(for_on, settings.weekly_day, calendar)
    digests = []
    for key, recipient in recipients.items():
        recipient_alerts = by_recipient.get(key, [])
        routine_wanted = recipient.digest is DigestFrequency.DAILY or (
            recipient.digest is DigestFrequency.WEEKLY and weekly_day
        )
        included = [a for a in recipient_alerts if a.kind is AlertKind.ESCALATION or routine_wanted]
        digest = Digest(
            recipient=recipient, for_on=for_on, alerts=included, weekly=recipient.digest is DigestFrequency.WEEKLY
        )
        if routine_wanted and recipient.user_id is not None:
            digest.since = previous_digest_on(for_on, recipient.digest, settings, calendar)
            user = managers.get(key) or db.session.get(User, recipient.user_id)
            if user is not None and user.role is Role.MANAGER and user.team_ids:
                digest.queues = queue_counts(user, for_on, since=digest.since)
            elif user is not None and user.role is Role.COORDINATOR:
                digest.new_messages = new_family_messages(user, for_on, since=digest.since)
        if not included and not (digest.queues is not None and digest.queues.total):
            continue
        render(digest, settings)
        digests.append(digest)
    digests.sort(key=lambda d: (d.recipient.email, d.recipient.key))
    return digests


def _view(item: Item, settings: AlertSettings) -> dict[str, Any]:
    return {
        "case_ref": item.case_ref,
        "child": item.child,
        "label": item.label,
        "due_on": item.due_on,
        "due_text": f"{item.due_on:%-d %B %Y}",
        "days_overdue": item.days_overdue,
        "exception_applies": item.exception_applies,
        "coordinator": item.coordinator_name,
        "url": f"{settings.base_url}/cases/{item.case_id}",
    }


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _step_counts(items: list[Item], url: str) -> list[dict[str, Any]]:
    """Items counted per step (the time limit's own name), most first, each with its list's link
    and how many of them an approved exception applies to."""
    counts: dict[str, int] = defaultdict(int)
    excepted: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.milestone_key] += 1
        excepted[item.milestone_key] += item.exception_applies

    def label(key: str) -> str:
        return RULES[key].label if key in RULES else DISPUTE_RULES[key].label if key in DISPUTE_RULES else key

    return [
        {"label": label(key), "count": n, "exceptions": excepted[key], "url": f"{url}&milestone_key={key}"}
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], label(kv[0])))
    ]


def _message_view(m: MessageRow, settings: AlertSettings) -> dict[str, Any]:
    return {
        "case_ref": f"Case {m.case_id}",
        "child": short_name(m.first_name, m.last_name),
        "received_text": f"{m.received_on:%-d %B %Y}",
        "working_days_waiting": m.working_days_waiting,
        "url": f"{settings.base_url}/cases/{m.case_id}/communications/{m.communication_id}/respond",
    }


def render(digest: Digest, settings: AlertSettings) -> None:
    """Fill in the subject and the plain-text and HTML bodies."""
    mine_id = digest.recipient.user_id
    escalations = [a.item for a in digest.alerts if a.kind is AlertKind.ESCALATION]
    routine = [a for a in digest.alerts if a.kind is not AlertKind.ESCALATION]
    mine_overdue = [a.item for a in routine if a.kind is AlertKind.OVERDUE and a.item.coordinator_id == mine_id]
    mine_due_soon = [a.item for a in routine if a.kind is AlertKind.DUE_SOON and a.item.coordinator_id == mine_id]
    team_overdue = [a.item for a in routine if a.kind is AlertKind.OVERDUE and a.item.coordinator_id != mine_id]
    by_coordinator: dict[str, int] = defaultdict(int)
    for item in team_overdue:
        by_coordinator[item.coordinator_name] += 1
    since = digest.since
    # Overdue on day D means due before D: a step due on or after the last digest's day was not
    # overdue then, so it has become overdue since.
    new_overdue = [i for i in mine_overdue + team_overdue if since is not None and i.due_on >= since]
    queues = digest.queues
    new_messages = queues.new_messages if queues is not None else digest.new_messages

    overdue_count = len(mine_overdue) + len(team_overdue)
    digest.counts = {"escalation": len(escalations), "overdue": overdue_count, "due_soon": len(mine_due_soon)}
    parts = []
    if escalations:
        parts.append(_plural(len(escalations), "escalation"))
    if overdue_count:
        parts.append(f"{overdue_count} overdue")
    if mine_due_soon:
        parts.append(f"{len(mine_due_soon)} due soon")
    if queues is not None:
        digest.counts.update(
            {"exceptions": queues.exceptions, "messages": queues.messages, "unassigned": queues.unassigned}
        )
        if queues.exceptions:
            parts.append(f"{queues.exceptions} to approve")
        if queues.messages:
            parts.append(_plural(queues.messages, "message") + " unanswered")
        if queues.unassigned:
            parts.append(_plural(queues.unassigned, "case") + " without a coordinator")
    has_routine = bool(routine) or (queues is not None and queues.total > 0)
    kind = "weekly alerts" if digest.weekly and has_routine else ("escalations" if not has_routine else "daily alerts")
    date_text = f"{digest.for_on:%A %-d %B %Y}"
    # Counts and the date only: a subject line is shown in places a body is not.
    digest.subject = f"{settings.service_name} {kind} for {date_text}: {', '.join(parts)}"

    base = settings.base_url
    mine_list = f"{base}/reports/overdue?coordinator_id=mine"
    team_list = f"{base}/reports/overdue?coordinator_id="
    context = {
        "service_name": settings.service_name,
        "greeting_name": digest.recipient.name.split()[0] if digest.recipient.name.strip() else "",
        "date_text": date_text,
        "weekly": digest.weekly,
        "kind": kind,
        "due_soon_days": settings.due_soon_days,
        "escalation_working_days": settings.escalation_working_days,
        "escalations": [_view(i, settings) for i in escalations],
        # Someone told only of escalations today hears of nothing else, so of nothing "new" either.
        "since_text": f"{since:%A %-d %B}" if since is not None and has_routine else "",
        "new_overdue": [_view(i, settings) for i in new_overdue],
        "new_messages": [_message_view(m, settings) for m in new_messages],
        "new_exceptions": [
            {
                "case_ref": f"Case {e.case_id}",
                "child": short_name(e.first_name, e.last_name),
                "label": e.milestone_label,
                "url": f"{base}/cases/{e.case_id}/exceptions/{e.exception_id}/decide",
            }
            for e in (queues.new_exceptions if queues is not None else [])
        ],
        "new_unassigned": [
            {
                "case_ref": f"Case {c.case_id}",
                "child": short_name(c.first_name, c.last_name),
                "label": c.case_type.label,
                "url": f"{base}/cases/{c.case_id}/reassign",
            }
            for c in (queues.new_unassigned if queues is not None else [])
        ],
        "mine_overdue_count": len(mine_overdue),
        "mine_overdue_steps": _step_counts(mine_overdue, f"{mine_list}&show=overdue"),
        "mine_overdue_url": f"{mine_list}&show=overdue",
        "mine_due_soon_count": len(mine_due_soon),
        "mine_due_soon_steps": _step_counts(
            mine_due_soon, f"{mine_list}&show=due_soon&within={settings.due_soon_days}"
        ),
        "mine_due_soon_url": f"{mine_list}&show=due_soon&within={settings.due_soon_days}",
        "team_overdue_count": len(team_overdue),
        "team_overdue_steps": _step_counts(team_overdue, f"{team_list}&show=overdue"),
        "team_overdue_url": f"{team_list}&show=overdue",
        "team_by_coordinator": sorted(by_coordinator.items(), key=lambda kv: (-kv[1], kv[0])),
        "queues": None
        if queues is None
        else {
            "exceptions": queues.exceptions,
            "exceptions_url": f"{base}/#exceptions-queue",
            "messages": queues.messages,
            "messages_url": f"{base}/#messages-queue",
            "oldest_message_working_days": queues.oldest_message_working_days,
            "unassigned": queues.unassigned,
            "unassigned_url": f"{base}/#unassigned-queue",
        },
        "has_account": digest.recipient.user_id is not None,
        "notifications_url": f"{base}/notifications/",
        "preferences_url": f"{base}/notifications/preferences",
    }
    context["has_new"] = bool(
        context["new_overdue"] or context["new_messages"] or context["new_exceptions"] or context["new_unassigned"]
    )
    env = current_app.jinja_env
    # Rendered straight from the environment: no request, so none of the page context processors.
    digest.text = env.get_template("email/digest.txt").render(context)
    digest.html = env.get_template("email/digest.html").render(context)
