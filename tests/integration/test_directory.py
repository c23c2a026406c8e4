"""The directory of providers and settings, and advice requested several at a time (services)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.case import AdviceRequest, CaseEvent, EventType
from ehc_tracker.models.directory import DirectoryEntry, DirectoryKind
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import Forbidden, ServiceError
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import directory as directory_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services import reports as oversight
from ehc_tracker.services.directory import EntryDetails
from ehc_tracker.services.reports import Scope, next_month
from ehc_tracker.services.timeline import advice_name, open_advice_choices
from tests.factories_cases import TODAY, create_assessment
from tests.helpers import create_team, create_user

Wanted = case_service.AdviceWanted
DECIDED = date(2025, 2, 10)
ASKED = date(2025, 2, 11)


@pytest.fixture
def admin(app):
    return create_user(role="admin")


@pytest.fixture
def coordinator(app):
    return create_user(role="coordinator", teams=[create_team()])


def _add(admin, name, kind, **kw):
    return directory_service.create_entry(EntryDetails(name=name, kind=kind.value, **kw), actor=admin)


def _decided(coordinator):
    case = create_assessment(coordinator=coordinator)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, DECIDED, actor=coordinator, today=TODAY)
    db.session.commit()
    return case


def _refusal(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    db.session.rollback()
    return caught.value


# --- Keeping the directory ------------------------------------------------------------------------


def test_an_entry_is_added_with_its_references_checked_and_audited(admin):
    entry = _add(
        admin,
        "  Hill   Primary School ",
        DirectoryKind.SCHOOL,
        urn="123 456",
        email="Office@Hill.example.org",
        phone="01632  960 001",
    )
    db.session.commit()
    assert (entry.name, entry.name_key, entry.urn, entry.email, entry.phone) == (
        "Hill Primary School",
        "hill primary school",
        "123456",
        "office@hill.example.org",
        "01632 960 001",
    )
    assert entry.reference == "URN 123456" and entry.active
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "directory_entry_added")).one()
    assert logged.object_id == str(entry.id) and "Hill Primary School" in logged.summary


@pytest.mark.parametrize(
    ("name", "kind", "extra", "field", "words"),
    [
        ("Hill Primary", DirectoryKind.SCHOOL, {}, "urn", "Enter the school's URN"),
        ("Hill Primary", DirectoryKind.SCHOOL, {"urn": "12345"}, "urn", "6 digits"),
        ("Hill Primary", DirectoryKind.SCHOOL, {"urn": "12345a"}, "urn", "6 digits"),
        ("Northgate College", DirectoryKind.COLLEGE, {}, "ukprn", "Enter the college's UKPRN"),
        ("Northgate College", DirectoryKind.COLLEGE, {"ukprn": "1234567"}, "ukprn", "8 digits"),
        ("Northgate College", DirectoryKind.COLLEGE, {"ukprn": "20012345"}, "ukprn", "starts with 1"),
        ("Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS, {"urn": "123456"}, "urn", "Only a school, college"),
        ("Social care", DirectoryKind.SOCIAL_CARE, {"ukprn": "10012345"}, "ukprn", "Only a college"),
        ("EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY, {"email": "not an address"}, "email", ""),
        ("EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY, {"phone": "call reception"}, "phone", "phone number"),
        ("EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY, {"phone": "123"}, "phone", "phone number"),
        ("   ", DirectoryKind.OTHER, {}, "name", "Enter the name"),
    ],
)
def test_an_entry_with_a_wrong_reference_or_contact_is_refused(admin, name, kind, extra, field, words):
    error = _refusal(lambda: _add(admin, name, kind, **extra))
    assert error.field == field and words in error.message
    assert db.session.scalar(select(DirectoryEntry.id)) is None


def test_an_unknown_type_is_refused(admin):
    error = _refusal(lambda: directory_service.create_entry(EntryDetails(name="X", kind="hospital"), actor=admin))
    assert error.field == "kind"


def test_a_college_with_its_ukprn_and_a_service_with_neither_reference_are_kept(admin):
    college = _add(admin, "Northgate College", DirectoryKind.COLLEGE, ukprn="10012345", urn="130001")
    service = _add(admin, "Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    assert college.reference == "URN 130001, UKPRN 10012345" and service.reference == ""


def test_two_entries_cannot_share_a_name_whatever_its_case_spacing_or_apostrophe(admin):
    _add(admin, "St Mary's CE Primary", DirectoryKind.SCHOOL, urn="100001")
    error = _refusal(lambda: _add(admin, "ST  MARY’S ce primary", DirectoryKind.SCHOOL, urn="100002"))
    assert error.field == "name" and "already has St Mary's CE Primary" in error.message


def test_only_an_administrator_keeps_the_directory(admin, coordinator):
    with pytest.raises(Forbidden):
        _add(coordinator, "EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY)
    entry = _add(admin, "EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY)
    with pytest.raises(Forbidden):
        directory_service.set_active(entry, False, actor=coordinator)
    with pytest.raises(Forbidden):
        directory_service.delete_entry(entry, actor=coordinator)


def test_a_change_is_audited_with_old_and_new_values(admin):
    entry = _add(admin, "EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY)
    changed = directory_service.update_entry(
        entry,
        EntryDetails(
            name="Northtown Educational Psychology Service",
            kind="educational_psychology",
            email="ep@northtown.example.org",
        ),
        actor=admin,
    )
    assert changed == ["name", "email"]
    assert entry.name_key == "northtown educational psychology service"
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "directory_entry_changed")).one()
    assert logged.details["name"] == {"old": "EP service", "new": "Northtown Educational Psychology Service"}
    # The same details again change nothing, and write nothing.
    same = EntryDetails(name=entry.name, kind="educational_psychology", email="ep@northtown.example.org")
    assert directory_service.update_entry(entry, same, actor=admin) == []
    assert db.session.scalar(select(db.func.count()).where(AuditEvent.action == "directory_entry_changed")) == 1


def test_a_deactivated_entry_is_neither_offered_nor_matched_and_can_come_back(admin):
    entry = _add(admin, "Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    school = _add(admin, "Hill Primary School", DirectoryKind.SCHOOL, urn="123456")
    assert directory_service.match(" northtown  COMMUNITY paediatrics ") is entry
    assert directory_service.offered() == [school, entry]
    assert directory_service.offered([DirectoryKind.SCHOOL]) == [school]
    directory_service.set_active(entry, False, actor=admin)
    assert directory_service.match("Northtown Community Paediatrics") is None
    assert directory_service.offered() == [school]
    db.session.commit()
    assert _refusal(lambda: directory_service.set_active(entry, False, actor=admin)).field == "active"
    directory_service.set_active(entry, True, actor=admin)
    assert directory_service.match("Northtown Community Paediatrics") is entry
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "directory_entry")).all()
    assert "directory_entry_deactivated" in actions and "directory_entry_reactivated" in actions


def test_an_entry_named_by_a_case_is_never_deleted_but_an_unused_one_is(admin, coordinator):
    used = _add(admin, "Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    unused = _add(admin, "Typo Servce", DirectoryKind.OTHER)
    case = _decided(coordinator)
    case_service.request_advice(
        case, ASKED, [Wanted("health", "Northtown Community Paediatrics")], actor=coordinator, today=TODAY
    )
    db.session.commit()
    error = _refusal(lambda: directory_service.delete_entry(used, actor=admin))
    assert "named in 1 advice request" in error.message and "Deactivate it instead" in error.message
    assert db.session.get(DirectoryEntry, used.id) is not None
    directory_service.delete_entry(unused, actor=admin)
    db.session.commit()
    assert db.session.get(DirectoryEntry, unused.id) is None
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "directory_entry_deleted")) is not None


def test_search_finds_by_words_urn_and_type_and_pages(admin):
    _add(admin, "Hill Primary School", DirectoryKind.SCHOOL, urn="123456")
    _add(admin, "Hillside Nursery", DirectoryKind.EARLY_YEARS)
    _add(admin, "Northgate College", DirectoryKind.COLLEGE, ukprn="10012345")
    old = _add(admin, "Old Hill Unit", DirectoryKind.OTHER)
    directory_service.set_active(old, False, actor=admin)
    names = lambda **kw: [e.name for e in directory_service.search(**kw).items]  # noqa: E731
    assert names(q="hill") == ["Hill Primary School", "Hillside Nursery"]
    assert names(q="hill", show="all") == ["Hill Primary School", "Hillside Nursery", "Old Hill Unit"]
    assert names(q="hill", show="inactive") == ["Old Hill Unit"]
    assert names(q="123456") == ["Hill Primary School"] and names(q="10012345") == ["Northgate College"]
    assert names(kind="early_years") == ["Hillside Nursery"]
    page = directory_service.search(per_page=2, page=2)
    assert page.total == 3 and [e.name for e in page.items] == ["Northgate College"]


# --- Advice requested several at a time -----------------------------------------------------------


def test_several_kinds_of_advice_are_requested_at_once_each_with_its_step_and_time_limit(admin, coordinator):
    paeds = _add(admin, "Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    case = _decided(coordinator)
    made = case_service.request_advice(
        case,
        ASKED,
        [
            Wanted("school", "Hill Primary School"),
            Wanted("ep", ""),
            Wanted("health", "northtown community paediatrics"),
            Wanted("social_care", "   "),
            Wanted(None, ""),
            Wanted("salt", "Speech and Language Therapy Team"),
        ],
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    assert [(a.advice_type.value, a.provider, a.directory_entry_id) for a in made] == [
        ("school", "Hill Primary School", None),
        ("health", "Northtown Community Paediatrics", paeds.id),  # the directory's own spelling, linked
        ("salt", "Speech and Language Therapy Team", None),
    ]
    events = case.events_of(EventType.ADVICE_REQUESTED)
    assert len(events) == 3 and {e.details["advice_request_id"] for e in events} == {a.id for a in made}
    assert all(e.occurred_on == ASKED and e.recorded_by_id == coordinator.id for e in events)
    advice_due = {m.ref: m for m in case.milestones if m.key == "advice_due"}
    assert set(advice_due) == {f"advice:{a.id}" for a in made}
    assert all(m.due_on == date(2025, 3, 25) for m in advice_due.values())  # 6 weeks (reg 8(1))
    # Each advice milestone is named by its type and who gives it, on every page that lists it.
    assert advice_due[f"advice:{made[1].id}"].label == "Health advice — Northtown Community Paediatrics"
    assert advice_name(made[0]) == "School advice — Hill Primary School"
    logged = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "case_event_recorded", AuditEvent.summary.like("Advice requested%")
        )
    ).all()
    assert len(logged) == 3 and logged[1].details["directory_entry_id"] == paeds.id


def test_the_advice_received_choices_are_the_open_requests_named_with_their_due_dates(coordinator):
    case = _decided(coordinator)
    made = case_service.request_advice(
        case, ASKED, [Wanted("ep", "EP Service"), Wanted("health", "Paediatrics")], actor=coordinator, today=TODAY
    )
    case_service.record_event(
        case, EventType.ADVICE_RECEIVED, date(2025, 3, 1), actor=coordinator, today=TODAY, advice_request_id=made[0].id
    )
    assert open_advice_choices(case) == [
        (str(made[1].id), "Health advice — Paediatrics, due 25 March 2025 (requested 11 February 2025)"),
    ]


@pytest.mark.parametrize(
    ("rows", "field", "words"),
    [
        ([Wanted("ep", ""), Wanted("health", " ")], "rows-0-provider", "at least one"),
        (
            [Wanted("ep", "EP Service"), Wanted(None, "Someone")],
            "rows-1-advice_type",
            "Select the type of advice asked of Someone",
        ),
        ([Wanted("ep", "EP Service"), Wanted("nonsense", "Someone")], "rows-1-advice_type", "Select the type"),
        (
            [Wanted("health", "Paediatrics"), Wanted("ep", "EP"), Wanted("health", " PAEDIATRICS ")],
            "rows-2-provider",
            "already in row 1",
        ),
        ([Wanted("ep", "x" * 201)], "rows-0-provider", "200 characters"),
        ([Wanted("ep", f"Service {n}") for n in range(13)], "rows", "at most 12"),
    ],
)
def test_the_rows_are_checked_strictly_and_nothing_is_saved_on_a_refusal(coordinator, rows, field, words):
    case = _decided(coordinator)
    error = _refusal(lambda: case_service.request_advice(case, ASKED, rows, actor=coordinator, today=TODAY))
    assert error.field == field and words in error.message
    assert db.session.scalar(select(AdviceRequest.id)) is None


def test_the_same_advice_from_the_same_provider_is_not_asked_twice_while_awaited(coordinator):
    case = _decided(coordinator)
    case_service.request_advice(case, ASKED, [Wanted("ep", "EP Service")], actor=coordinator, today=TODAY)
    db.session.commit()
    error = _refusal(
        lambda: case_service.request_advice(
            case,
            date(2025, 2, 20),
            [Wanted("health", "Paediatrics"), Wanted("ep", "ep service")],
            actor=coordinator,
            today=TODAY,
        )
    )
    assert error.field == "rows-1-provider" and "already requested on 11 February 2025" in error.message
    assert len(case.advice_requests) == 1


def test_the_date_and_the_workflow_are_checked_like_any_step(coordinator):
    undecided = create_assessment(coordinator=coordinator)
    error = _refusal(
        lambda: case_service.request_advice(undecided, ASKED, [Wanted("ep", "EP")], actor=coordinator, today=TODAY)
    )
    assert "Record ‘Decided to assess’ before ‘Advice requested’" in error.message
    case = _decided(coordinator)
    error = _refusal(
        lambda: case_service.request_advice(
            case, date(2025, 2, 9), [Wanted("ep", "EP")], actor=coordinator, today=TODAY
        )
    )
    assert error.field == "on" and "cannot be before ‘Decided to assess’" in error.message
    error = _refusal(
        lambda: case_service.request_advice(
            case, date(2025, 12, 2), [Wanted("ep", "EP")], actor=coordinator, today=TODAY
        )
    )
    assert error.field == "on" and "future" in error.message
    other = create_user(role="coordinator", teams=[case.team])
    with pytest.raises(Forbidden):
        case_service.request_advice(case, ASKED, [Wanted("ep", "EP")], actor=other, today=TODAY)


def test_the_family_gets_one_message_for_the_days_requests(coordinator):
    case = _decided(coordinator)
    invited = family_service.invite(
        case,
        name="Pat Parent",
        email="pat@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=coordinator,
        now=datetime.now(UTC),
        today=TODAY,
    )
    family_service.accept(invited.token, password="a long family password 2026", now=datetime.now(UTC))
    db.session.commit()
    before = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    case_service.request_advice(
        case,
        ASKED,
        [Wanted("ep", "EP"), Wanted("health", "Paediatrics"), Wanted("school", "Hill")],
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == before + 1


def test_a_single_step_and_a_school_consultation_link_the_entry_typed(admin, coordinator):
    ep = _add(admin, "Northtown Educational Psychology Service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY)
    hill = _add(admin, "Hill Primary School", DirectoryKind.SCHOOL, urn="123456")
    case = _decided(coordinator)
    case_service.record_event(
        case,
        EventType.ADVICE_REQUESTED,
        ASKED,
        actor=coordinator,
        today=TODAY,
        advice_type="ep",
        provider="northtown educational psychology service",
    )
    assert (case.advice_requests[0].directory_entry_id, case.advice_requests[0].provider) == (ep.id, ep.name)
    for step, on in ((EventType.DECIDED_TO_ISSUE, date(2025, 3, 31)), (EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7))):
        case_service.record_event(case, step, on, actor=coordinator, today=TODAY)
    case_service.record_event(
        case,
        EventType.SCHOOL_CONSULTED,
        date(2025, 4, 8),
        actor=coordinator,
        today=TODAY,
        setting_name="HILL PRIMARY SCHOOL",
    )
    case_service.record_event(
        case,
        EventType.SCHOOL_CONSULTED,
        date(2025, 4, 8),
        actor=coordinator,
        today=TODAY,
        setting_name="Oak Lodge Independent School",
    )
    linked, free = case.consultations
    assert (linked.directory_entry_id, linked.setting_name) == (hill.id, "Hill Primary School")
    assert (free.directory_entry_id, free.setting_name) == (None, "Oak Lodge Independent School")
    consulted = db.session.scalars(select(CaseEvent).where(CaseEvent.event_type == EventType.SCHOOL_CONSULTED)).first()
    assert consulted.details["directory_entry_id"] == hill.id


# --- The dashboard's figures by provider ------------------------------------------------------------


def test_advice_by_provider_is_grouped_by_directory_entry_and_otherwise_by_the_name_typed(admin, coordinator):
    paeds = _add(admin, "Northtown Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    first, second = _decided(coordinator), _decided(create_user(role="coordinator", teams=coordinator.teams))
    for case, row in (
        (first, Wanted("health", "Northtown Paediatrics")),
        (second, Wanted("health", "NORTHTOWN paediatrics")),
    ):
        made = case_service.request_advice(
            case, ASKED, [row, Wanted("ep", "Dr A Shah")], actor=case.coordinator, today=TODAY
        )
        for advice, back in zip(made, (date(2025, 3, 20), date(2025, 4, 1))):
            case_service.record_event(
                case, EventType.ADVICE_RECEIVED, back, actor=case.coordinator, today=TODAY, advice_request_id=advice.id
            )
    # The service is renamed afterwards: its advice is still counted together, under its name now.
    directory_service.update_entry(
        paeds, EntryDetails(name="Northtown Community Paediatrics", kind="health_paediatrics"), actor=admin
    )
    db.session.commit()
    scope = Scope(frozenset(coordinator.team_ids))
    rows = oversight.advice_breakdown(scope, date(2025, 3, 1), next_month(date(2025, 4, 1)), TODAY, by="provider")
    assert [(r.value, r.figure.counted, r.figure.on_time) for r in rows] == [
        ("Dr A Shah", 2, 0),
        ("Northtown Community Paediatrics", 2, 2),
    ]
    # The drill-down behind the number finds the same requests.
    spec = oversight.DrillDown(
        oversight.MEASURE_BY_KEY["advice_6_weeks"],
        date(2025, 3, 1),
        next_month(date(2025, 4, 1)),
        TODAY,
        provider="Northtown Community Paediatrics",
    )
    assert len(db.session.scalars(oversight.drilldown_ids(scope, spec)).all()) == 2


# --- Demo data ------------------------------------------------------------------------------------


def test_the_demo_has_a_directory_and_its_advice_names_the_entries(runner):
    result = runner.invoke(args=["seed-demo", "--children", "40"])
    assert result.exit_code == 0, result.output
    entries = db.session.scalars(select(DirectoryEntry)).all()
    assert len(entries) >= 15 and sum(not e.active for e in entries) == 1
    assert {e.kind for e in entries} >= {
        DirectoryKind.SCHOOL,
        DirectoryKind.COLLEGE,
        DirectoryKind.EARLY_YEARS,
        DirectoryKind.HEALTH_PAEDIATRICS,
        DirectoryKind.EDUCATIONAL_PSYCHOLOGY,
    }
    assert all(e.urn for e in entries if e.kind is DirectoryKind.SCHOOL)
    advice = db.session.scalars(select(AdviceRequest)).all()
    linked = [a for a in advice if a.directory_entry_id is not None]
    assert advice and len(linked) >= len(advice) * 0.7
    assert all(a.provider == a.directory_entry.name for a in linked)
    # Running it again adds no second directory.
    assert runner.invoke(args=["seed-demo", "--children", "5"]).exit_code == 0
    assert len(db.session.scalars(select(DirectoryEntry)).all()) == len(entries)
