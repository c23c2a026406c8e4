"""Demonstration children and cases: a realistic mix at every stage of the workflow.

Everything is created through the same services the pages use, so every demo case has the
milestones, audit entries and history a real one would. A fixed random seed makes the data
the same on every run for the same `today`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..extensions import db
from ..models import Role, Team, User
from ..models.case import AdviceType, AppealType, Case, CaseType, Channel, EventType, Plan, RequestSource
from ..models.child import Child, ChildContact, ContactMethod, Ethnicity, SenNeed, Sex
from ..services import ServiceError, opening
from ..services import cases as case_service
from ..services.children import upn_check_letter
from ..statutory.years import compulsory_school_age_ends, national_curriculum_year, school_year_start_year
from .directory import ADVICE_PROVIDERS, OUTSIDE_HEALTH, seed_directory

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harvey",
    "Isla",
    "Jack",
    "Kai",
    "Layla",
    "Mohammed",
    "Nia",
    "Oscar",
    "Priya",
    "Quinn",
    "Ruby",
    "Sami",
    "Tia",
    "Umar",
    "Violet",
    "Wren",
    "Yusuf",
    "Zara",
    "Alfie",
    "Bella",
    "Callum",
    "Daisy",
    "Ethan",
    "Freya",
    "George",
    "Hana",
    "Ibrahim",
    "Jasmine",
    "Leo",
    "Maya",
    "Noah",
]
LAST_NAMES = [
    "Ahmed",
    "Bennett",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walker",
    "Young",
    "Zhang",
]
# Settings by the phase they teach, so that no child is shown at a setting that could not hold
# their year group (no Year 12 at an infant school). Meadow is an all-through special school.
EARLY_YEARS = ["Little Steps Nursery", "Sunbeam Pre-school"]
INFANT = ["Hill Primary School", "St Mary's CE Primary", "Brook Infant School", "Meadow Special School"]
JUNIOR = ["Hill Primary School", "St Mary's CE Primary", "Westfield Junior School", "Meadow Special School"]
SECONDARY = ["Oakfield Secondary", "Riverside Academy", "Meadow Special School"]
POST_16 = ["Northgate College", "Riverside Academy Sixth Form", "Meadow Special School"]
INFANT_SCHOOLS = frozenset({"Brook Infant School"})
# What the SEN2 return reports for each demo setting (made-up numbers of the right shape): a school's
# URN, a college's UKPRN, or the SEN setting code of a place with neither; and the year group a
# child usually starts there (None: at 3, in early years).
SETTING_IDS: dict[str, tuple[str, str, int | None]] = {
    "Little Steps Nursery": ("sen_setting", "EYP", None),
    "Sunbeam Pre-school": ("sen_setting", "EYP", None),
    "Hill Primary School": ("setting_urn", "107001", 0),
    "St Mary's CE Primary": ("setting_urn", "107002", 0),
    "Brook Infant School": ("setting_urn", "107003", 0),
    "Westfield Junior School": ("setting_urn", "107004", 3),
    "Meadow Special School": ("setting_urn", "107005", 0),
    "Oakfield Secondary": ("setting_urn", "107006", 7),
    "Riverside Academy": ("setting_urn", "141007", 7),
    "Riverside Academy Sixth Form": ("setting_urn", "141007", 12),
    "Northgate College": ("setting_ukprn", "10004321", 12),
}


def setting_for(rng: random.Random, year_group: int) -> str:
    """A demo setting that teaches `year_group` (Reception = 0, negative = early years)."""
    if year_group < 0:
        return rng.choice(EARLY_YEARS)
    if year_group <= 2:
        return rng.choice(INFANT)
    if year_group <= 6:
        return rng.choice(JUNIOR)
    if year_group <= 11:
        return rng.choice(SECONDARY)
    return rng.choice(POST_16)


def _advice_provider(kind: AdviceType, child: Child) -> str:
    """Who the demo asks for advice: the directory's services (typed as coordinators would, and
    matched to their entries), the child's own setting for school advice, and for one child in
    five a health service outside the directory."""
    if kind is AdviceType.SCHOOL:
        return child.setting_name or "Current school"
    if kind is AdviceType.HEALTH and child.id % 5 == 0:
        return OUTSIDE_HEALTH
    return ADVICE_PROVIDERS[kind.value]


def _child(rng: random.Random, team: Team, today: date) -> Child:
    age_days = rng.randint(3 * 365, 17 * 365)
    date_of_birth = today - timedelta(days=age_days)
    setting = setting_for(rng, national_curriculum_year(date_of_birth, school_year_start_year(today)))
    child = Child(
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=date_of_birth,
        sex=rng.choice([Sex.MALE, Sex.MALE, Sex.FEMALE, Sex.FEMALE, Sex.UNKNOWN]),
        ethnicity=rng.choice(list(Ethnicity)),
        primary_need=rng.choice(
            [SenNeed.ASD, SenNeed.ASD, SenNeed.SLCN, SenNeed.SEMH, SenNeed.MLD, SenNeed.SPLD, SenNeed.PD, SenNeed.SLD]
        ),
        setting_name=setting,
        attends_infant_school=setting in INFANT_SCHOOLS,
        looked_after=rng.random() < 0.06,
        team=team,
    )
    child.contacts = [
        ChildContact(
            name=f"{rng.choice(['Sarah', 'James', 'Aisha', 'Tom', 'Fatima', 'Chris'])} {child.last_name}",
            relationship_to_child=rng.choice(["Mother", "Father", "Carer"]),
            email=f"parent{rng.randint(1000, 9999)}@example.org",
            preferred_contact_method=rng.choice(list(ContactMethod)),
            has_parental_responsibility=True,
        )
    ]
    db.session.add(child)
    return child


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _assessment(rng: random.Random, child: Child, team: Team, coordinator: User, today: date) -> None:
    """An assessment opened 1–60 weeks ago, carried as far as its age (and chance) allow."""
    received = today - timedelta(weeks=rng.randint(1, 60)) - _days(rng, 0, 6)
    sources = list(RequestSource)
    if received <= compulsory_school_age_ends(child.date_of_birth):
        sources.remove(RequestSource.YOUNG_PERSON)  # a child's request is the parent's (CFA s83(2))
    case = case_service.open_assessment(
        child=child,
        received_on=received,
        source=rng.choice(sources),
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=today,
    )
    slow = rng.random() < 0.45  # many councils are late more often than not

    def step(kind: EventType, on: date, **details: Any) -> bool:
        if on > today:
            return False
        case_service.record_event(case, kind, on, actor=coordinator, today=today, **details)
        return True

    if rng.random() < 0.04:
        step(EventType.WITHDRAWN, received + _days(rng, 3, 20), reason="Family moved out of the area")
        return
    decision_on = received + _days(rng, 20, 55 if slow else 40)
    if rng.random() < 0.15:
        step(EventType.DECIDED_NOT_TO_ASSESS, decision_on, reason="Needs can be met from the school's resources")
        return
    if not step(EventType.DECIDED_TO_ASSESS, decision_on):
        return
    for kind in rng.sample(
        [AdviceType.EP, AdviceType.HEALTH, AdviceType.SOCIAL_CARE, AdviceType.SALT, AdviceType.SCHOOL], k=3
    ):
        requested = decision_on + _days(rng, 0, 5)
        step(EventType.ADVICE_REQUESTED, requested, advice_type=kind.value, provider=_advice_provider(kind, child))
    for advice in list(case.advice_requests):
        back = advice.requested_on + _days(rng, 25, 60 if slow else 42)
        step(EventType.ADVICE_RECEIVED, back, advice_request_id=advice.id)
    issue_on = max([a.received_on or today for a in case.advice_requests] + [decision_on]) + _days(rng, 3, 15)
    if rng.random() < 0.08:
        step(EventType.DECIDED_NOT_TO_ISSUE, issue_on, reason="Needs can be met through SEN support")
        return
    if not step(EventType.DECIDED_TO_ISSUE, issue_on):
        return
    draft_on = issue_on + _days(rng, 3, 21 if slow else 10)
    if not step(EventType.DRAFT_PLAN_ISSUED, draft_on):
        return
    school = child.setting_name or setting_for(
        rng, national_curriculum_year(child.date_of_birth, school_year_start_year(draft_on))
    )
    if step(EventType.SCHOOL_CONSULTED, draft_on + _days(rng, 0, 3), setting_name=school):
        consultation = case.consultations[0]
        step(
            EventType.SCHOOL_RESPONDED,
            consultation.sent_on + _days(rng, 7, 30),
            consultation_id=consultation.id,
            outcome="agreed",
        )
    final_on = max(draft_on + timedelta(days=15), received + timedelta(weeks=rng.randint(17, 26 if slow else 20)))
    step(EventType.FINAL_PLAN_ISSUED, final_on, named_settings=school)


def _sen2_items(rng: random.Random, child: Child, today: date) -> None:
    """What the SEN2 return needs of the record: home postcode, UPN (or why it is not known),
    the setting's URN, UKPRN or SEN setting code, and the day the child started there. A few
    records carry the mistakes real ones do: a UPN typed twice is added by `seed_cases`, and
    about one in ten has no start date at the setting (the return then uses the plan's date)."""
    child.postcode = f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    start_year = school_year_start_year(today)
    year_group = national_curriculum_year(child.date_of_birth, start_year)
    if year_group < 0:
        child.upn_unknown_reason = "UN1"  # under 6 and not yet at school
    else:
        body = f"999{rng.randint(0, 10**9 - 1):09d}"
        child.upn = upn_check_letter(body) + body
    kind, value, starts_in = SETTING_IDS.get(child.setting_name or "", ("sen_setting", "OTH", None))
    setattr(child, kind, value)
    child.setting_resourced_provision = rng.random() < 0.08 and kind == "setting_urn"
    if rng.random() < 0.1:
        return
    if starts_in is None:
        started = child.date_of_birth + timedelta(days=3 * 365 + rng.randint(0, 200))
    else:
        started = date(start_year - max(0, year_group - starts_in), 9, rng.randint(2, 8))
    child.setting_started_on = min(started, today)


def _review(
    rng: random.Random, child: Child, team: Team, coordinator: User, today: date, plan: Plan | None = None
) -> None:
    """A plan made before the service was used, with its current annual review at some stage."""
    last_reviewed = today - _days(rng, 60, 420)
    case = case_service.open_annual_review(
        child=child,
        plan=plan,
        last_reviewed_on=last_reviewed,
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )
    meeting = last_reviewed + timedelta(days=rng.randint(300, 380))
    late = rng.random() < 0.35
    try:
        arranged = min(today, meeting - timedelta(days=rng.randint(25, 50)))
        if arranged < last_reviewed:
            return
        case_service.record_event(
            case, EventType.REVIEW_MEETING_SCHEDULED, arranged, actor=coordinator, today=today, meeting_on=meeting
        )
        invites = meeting - timedelta(days=rng.randint(7, 20) if late else rng.randint(15, 25))
        if invites > today:
            return
        case_service.record_event(
            case, EventType.INVITATIONS_SENT, invites, actor=coordinator, today=today, advice_circulated_on=invites
        )
        if meeting > today:
            return
        case_service.record_event(case, EventType.REVIEW_MEETING_HELD, meeting, actor=coordinator, today=today)
        report = meeting + _days(rng, 5, 25 if late else 14)
        if report > today:
            return
        case_service.record_event(case, EventType.REVIEW_REPORT_RECEIVED, report, actor=coordinator, today=today)
        decision_on = meeting + _days(rng, 14, 45 if late else 28)
        if decision_on > today:
            return
        decision = rng.choice(["maintain", "amend", "amend"])
        case_service.record_event(
            case, EventType.REVIEW_DECISION_NOTIFIED, decision_on, actor=coordinator, today=today, decision=decision
        )
        if decision == "amend":
            proposals = decision_on + _days(rng, 1, 10)
            if proposals > today:
                return
            case_service.record_event(case, EventType.AMENDMENTS_PROPOSED, proposals, actor=coordinator, today=today)
            amended = proposals + _days(rng, 30, 90 if late else 50)
            if amended <= today:
                case_service.record_event(
                    case,
                    EventType.AMENDED_PLAN_ISSUED,
                    amended,
                    actor=coordinator,
                    today=today,
                    named_settings=child.setting_name,
                )
    except ServiceError:
        return


def _communications(rng: random.Random, case: Case, coordinator: User, today: date) -> None:
    for _ in range(rng.randint(0, 3)):
        received = today - _days(rng, 0, 40)
        if received < case.anchor_on:
            continue
        comm = case_service.log_communication(
            case,
            received_on=received,
            channel=rng.choice(list(Channel)),
            from_name=rng.choice(["Parent", "School SENCo", "Health visitor"]),
            summary=rng.choice(
                [
                    "Asking for an update",
                    "Sent new medical evidence",
                    "Wants to discuss the draft plan",
                    "Query about transport",
                ]
            ),
            actor=coordinator,
            today=today,
        )
        if rng.random() < 0.7:
            responded = received + _days(rng, 1, 10)
            if responded <= today:
                case_service.record_response(
                    comm, responded_on=responded, summary="Replied by email", actor=coordinator, today=today
                )


def _exceptions(rng: random.Random, cases: list[Case], managers: dict[int, User], today: date) -> None:
    candidates = [
        c
        for c in cases
        if c.case_type is CaseType.ASSESSMENT
        and c.anchor_on + timedelta(weeks=4) <= today
        and any(m.key == "final_plan" for m in c.milestones)
    ]
    for case in rng.sample(candidates, k=min(len(candidates), max(1, len(candidates) // 12))):
        coordinator = case.coordinator
        assert coordinator is not None
        exception = case_service.propose_exception(
            case,
            milestone_key="final_plan",
            limb=rng.choice(["personal_circumstances", "absent_from_area"]),
            starts_on=case.anchor_on + timedelta(weeks=4),
            ends_on=None,
            reason="Child in hospital for five weeks" if rng.random() < 0.5 else "Family abroad for six weeks",
            evidence="Letter on file",
            actor=coordinator,
            today=today,
        )
        if rng.random() < 0.7 and case.team_id in managers:
            case_service.decide_exception(exception, approve=True, note="Evidence seen", actor=managers[case.team_id])


_DISPUTED = {
    EventType.DECIDED_NOT_TO_ASSESS: (AppealType.REFUSAL_TO_ASSESS, "assessment_notice"),
    EventType.DECIDED_NOT_TO_ISSUE: (AppealType.REFUSAL_TO_ISSUE, "draft_plan"),
}


def _dispute(rng: random.Random, case: Case, refusal: EventType, today: date) -> None:
    """A family disputing a refusal: mediation (with or without agreement) or only a certificate,
    then perhaps an appeal the council responds to or does not oppose, a hearing and its outcome,
    and the action an order, a concession or an agreement required; as far as today allows."""
    decision = case.event(refusal)
    coordinator = case.coordinator
    if decision is None or coordinator is None:
        return
    appeal_type, limb = _DISPUTED[refusal]
    letter = decision.occurred_on
    dispute = opening.open_dispute(
        disputed=case,
        decision_sent_on=letter,
        appeal_type=appeal_type,
        team=case.team,
        coordinator=coordinator,
        actor=coordinator,
        today=today,
    )

    def step(kind: EventType, on: date, **details: Any) -> bool:
        if on > today:
            return False
        case_service.record_event(dispute, kind, on, actor=coordinator, today=today, **details)
        return True

    def act(under: str, owed_from: date, weeks: int) -> None:
        done_on = owed_from + timedelta(days=weeks * 7 + rng.randint(-8, 6))
        if step(EventType.DISPUTE_ACTION_TAKEN, max(done_on, owed_from), under=under, limb=limb):
            step(EventType.DISPUTE_CLOSED, max(done_on, owed_from) + _days(rng, 1, 10), reason="Done as required")

    if rng.random() < 0.5:
        asked = letter + _days(rng, 10, 30)
        if not step(EventType.MEDIATION_REQUESTED, asked, requested_by="parent"):
            return
        held = asked + _days(rng, 15, 38)
        agreed = rng.random() < 0.35
        if not step(EventType.MEDIATION_HELD, held, mediation_outcome="agreement" if agreed else "no_agreement"):
            return
        if agreed:
            if step(EventType.MEDIATION_AGREEMENT_RECORDED, held, limbs=[limb]):
                act("mediation_agreement", held, 2 if limb == "assessment_notice" else 5)
            return
        certificate = held + _days(rng, 1, 4)
    else:
        certificate = letter + _days(rng, 7, 40)  # no mediation wanted (reg 34)
    if not step(EventType.MEDIATION_CERTIFICATE_ISSUED, certificate) or rng.random() < 0.3:
        return
    registered = certificate + _days(rng, 5, 25)
    if not step(
        EventType.APPEAL_REGISTERED, registered, tribunal_reference=f"EH{rng.randint(100, 999)}/25/{dispute.id:05d}"
    ):
        return
    if rng.random() < 0.25:
        conceded = registered + _days(rng, 10, 25)
        if step(EventType.APPEAL_NOT_OPPOSED, conceded, limbs=[limb]):
            act("unopposed", conceded, 2 if limb == "assessment_notice" else 5)
        return
    if not step(EventType.TRIBUNAL_RESPONSE_SENT, registered + _days(rng, 25, 45)):
        return
    hearing = registered + _days(rng, 110, 150)
    if not step(EventType.HEARING_HELD, hearing):
        return
    outcome = rng.choices(["upheld", "upheld_in_part", "dismissed", "withdrawn"], weights=[4, 2, 3, 1])[0]
    ordered = [limb] if outcome in ("upheld", "upheld_in_part") else []
    decided = hearing + _days(rng, 3, 12)
    if not step(EventType.APPEAL_OUTCOME, decided, appeal_outcome=outcome, limbs=ordered):
        return
    if ordered:
        act("order", decided, 2 if limb == "assessment_notice" else 5)
    else:
        step(EventType.DISPUTE_CLOSED, decided + _days(rng, 1, 10), reason="Appeal " + outcome)


def _disputes(rng: random.Random, cases: list[Case], today: date) -> None:
    """About three in five refusals to assess or to issue are disputed."""
    for case in cases:
        refusal = next((e for e in _DISPUTED if case.event(e) is not None), None)
        if refusal is not None and case.case_type is CaseType.ASSESSMENT and rng.random() < 0.6:
            _dispute(rng, case, refusal, today)


def seed_cases(*, children: int, today: date, rng_seed: int = 2026) -> int:
    """Create `children` demo children, each with an assessment or an annual review; return the number created."""
    rng = random.Random(rng_seed)
    seed_directory()
    teams = list(db.session.scalars(db.select(Team).order_by(Team.name)))
    staff: dict[int, list[User]] = {
        t.id: [u for u in t.members if u.role is Role.COORDINATOR and u.active] for t in teams
    }
    managers = {t.id: next((u for u in t.members if u.role is Role.MANAGER), None) for t in teams}
    created: list[Case] = []
    for n in range(children):
        team = teams[n % len(teams)]
        if not staff[team.id]:
            continue
        coordinator = rng.choice(staff[team.id])
        child = _child(rng, team, today)
        # The SEN2 items draw on their own generator, so the rest of the demo stays as it was.
        sen2_rng = random.Random(rng_seed * 100_003 + n)
        _sen2_items(sen2_rng, child, today)
        if n % 60 == 59 and created and created[-1].child.upn and child.upn:
            child.upn = created[-1].child.upn  # a UPN typed twice (the return's upn_duplicate rule)
        db.session.flush()
        if rng.random() < 0.55:
            _assessment(rng, child, team, coordinator, today)
        else:
            # The plan's issue date is recorded for most plans made before the service was used;
            # a few are not yet (the return's plan_start_unknown rule).
            plan = None
            if sen2_rng.random() < 0.95:
                earliest = child.date_of_birth + timedelta(days=365)
                span = (today - timedelta(days=421) - earliest).days
                plan = Plan(
                    child_id=child.id,
                    issued_on=earliest + timedelta(days=sen2_rng.randint(0, max(0, span))),
                    named_settings=child.setting_name,
                )
                db.session.add(plan)
                db.session.flush()
            elif child.setting_started_on is None or child.setting_started_on > today - timedelta(days=700):
                # With neither date (or a start after the last census) the placement's EntryDate
                # would be missing, a schema error; the demo's mistakes stay business-rule ones.
                child.setting_started_on = max(today - timedelta(days=700), child.date_of_birth + timedelta(days=1))
            _review(rng, child, team, coordinator, today, plan)
        open_cases = [c for c in child.cases if c.is_open]
        for case in open_cases:
            _communications(rng, case, coordinator, today)
        created.extend(child.cases)
        if n % 50 == 49:
            db.session.flush()
    _exceptions(rng, created, {k: v for k, v in managers.items() if v is not None}, today)
    # Disputes draw on their own generator too, so the cases above stay as they were.
    _disputes(random.Random(rng_seed * 7 + 1), created, today)
    return children
