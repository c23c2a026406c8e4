"""Cases with advice asked of a provider in the directory, professionals and families invited
through the services, dated from the real today (the pages read the clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from ehc_tracker.extensions import db
from ehc_tracker.models.case import EventType
from ehc_tracker.models.directory import DirectoryKind
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import directory as directory_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services import professionals as professional_service
from ehc_tracker.services.clock import today
from ehc_tracker.services.directory import EntryDetails
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

PROFESSIONAL_PASSWORD = "speech therapy report words"
FAMILY_PASSWORD = "three random words here"


def provider(name: str = "Northtown Speech and Language Therapy", *, contact_email: str | None = None) -> Any:
    admin = create_user(role="admin", commit=False)
    entry = directory_service.create_entry(
        EntryDetails(name=name, kind=DirectoryKind.SPEECH_AND_LANGUAGE.value), actor=admin
    )
    if contact_email:
        entry.contact_name, entry.contact_email = "Head of Therapies", contact_email
    db.session.commit()
    return entry


def advice_case(
    entry: Any, *, asked_days_ago: int = 20, coordinator: Any = None, team: Any = None, first_name: str | None = None
) -> tuple[Any, Any]:
    """An open assessment whose advice was asked of `entry` `asked_days_ago` days ago."""
    now_on = today()
    team = team or (coordinator.teams[0] if coordinator is not None else create_team())
    coordinator = coordinator or create_user(role="coordinator", teams=[team])
    asked_on = now_on - timedelta(days=asked_days_ago)
    case = create_assessment(
        team=team, coordinator=coordinator, received_on=asked_on - timedelta(days=10), today=now_on, commit=False
    )
    if first_name:
        case.child.first_name = first_name
    case_service.record_event(
        case, EventType.DECIDED_TO_ASSESS, asked_on - timedelta(days=5), actor=coordinator, today=now_on
    )
    made = case_service.request_advice(
        case, asked_on, [case_service.AdviceWanted("salt", entry.name)], actor=coordinator, today=now_on
    )
    db.session.commit()
    return case, made[0]


def professional(
    advice: Any, *, email: str = "therapist@nhs.example", question: str = "What support is needed?"
) -> Any:
    new = professional_service.invite(
        advice,
        name="Sam Therapist",
        email=email,
        question=question,
        actor=advice.case.coordinator,
        now=datetime.now(UTC),
    )
    user = professional_service.accept(new.token, password=PROFESSIONAL_PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    return user


def family(case: Any, *, email: str = "parent@example.org", young_person: bool = False) -> Any:
    new = family_service.invite(
        case,
        name="Young Person" if young_person else "Pat Parent",
        email=email,
        relationship=FamilyRelationship.YOUNG_PERSON if young_person else FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    user = family_service.accept(new.token, password=FAMILY_PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    return user


def draft_served(case: Any, on: date) -> None:
    """Decide to issue and serve the draft plan on `on` (the representation period starts)."""
    actor = case.coordinator
    case_service.record_event(case, EventType.DECIDED_TO_ISSUE, on, actor=actor, today=today())
    case_service.record_event(case, EventType.DRAFT_PLAN_ISSUED, on, actor=actor, today=today())
    db.session.commit()


def sign_in(client: Any, email: str, password: str) -> Any:
    return client.post("/sign-in", data={"email": email, "password": password})
