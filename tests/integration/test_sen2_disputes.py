"""The SEN2 mediation and tribunal items, filled from the disputes about each reported
assessment's decisions: which items a dispute fills, beside which outcome, as at the census date."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest
import sqlalchemy as sa

from ehc_tracker.extensions import db
from ehc_tracker.models import User
from ehc_tracker.models.case import AppealType, Case
from ehc_tracker.models.child import SenNeed
from ehc_tracker.sen2_rules import collection_for
from ehc_tracker.services import sen2
from tests.factories_cases import open_test_dispute
from tests.helpers import create_team, create_user
from tests.integration.test_sen2 import TODAY, build, issue_plan, open_assessment, person, persons_by_name, record, upn

DISPUTE_TAGS = (
    "RequestMediation",
    "RequestTribunal",
    "AssessmentMediation",
    "AssessmentTribunal",
    "OtherMediation",
    "OtherTribunal",
)


def dispute(case: Case, about: AppealType, letter_on: date, actor) -> Case:
    return open_test_dispute(case, appeal_type=about, letter_on=letter_on, actor=actor, today=TODAY, commit=False)


def mediation(case: Case, actor, *, requested_on: date, held_on: date | None, outcome: str = "no_agreement") -> None:
    record(case, "mediation_requested", requested_on, actor, requested_by="parent")
    if held_on is not None:
        record(case, "mediation_held", held_on, actor, mediation_outcome=outcome)


def appeal(case: Case, actor, on: date, reference: str) -> None:
    record(case, "appeal_registered", on, actor, tribunal_reference=reference)


@pytest.fixture
def disputed(app):
    """Children each showing how a dispute reaches the return (see the comments)."""
    team = create_team(name="SEN team")
    coordinator = create_user(role="coordinator", teams=[team])
    cases = {}

    def child(name: str, n: int):
        return person(
            team=team,
            first_name=name,
            last_name="Oak",
            upn=upn(f"20123456780{n}"),
            setting_urn="100000",
            primary_need=SenNeed.ASD,
        )

    # Nia: decided not to assess; the family went to mediation and then appealed.
    cases["Nia"] = case = open_assessment(child("Nia", 1), date(2025, 4, 1), coordinator, team)
    record(case, "decided_not_to_assess", date(2025, 5, 6), coordinator, reason="Needs met at SEN support")
    refusal = dispute(case, AppealType.REFUSAL_TO_ASSESS, date(2025, 5, 6), coordinator)
    mediation(refusal, coordinator, requested_on=date(2025, 5, 20), held_on=date(2025, 6, 10))
    appeal(refusal, coordinator, date(2025, 7, 1), "EH1")

    # Cal: decided not to assess, no dispute.
    cases["Cal"] = case = open_assessment(child("Cal", 2), date(2025, 4, 1), coordinator, team)
    record(case, "decided_not_to_assess", date(2025, 5, 6), coordinator, reason="Needs met at SEN support")

    # Oli: decided not to assess; the mediation and the appeal about it came after the census
    # date, and the only appeal registered before it is about something else (disability
    # discrimination).
    cases["Oli"] = case = open_assessment(child("Oli", 3), date(2025, 8, 1), coordinator, team)
    record(case, "decided_not_to_assess", date(2025, 9, 1), coordinator, reason="Needs met at SEN support")
    refusal = dispute(case, AppealType.REFUSAL_TO_ASSESS, date(2025, 9, 1), coordinator)
    mediation(refusal, coordinator, requested_on=date(2025, 12, 1), held_on=date(2026, 1, 20))
    appeal(refusal, coordinator, date(2026, 1, 16), "EH3")
    discrimination = dispute(case, AppealType.DISABILITY_DISCRIMINATION, date(2025, 9, 1), coordinator)
    appeal(discrimination, coordinator, date(2025, 10, 1), "EH4")

    # Pip: assessed, decided not to issue a plan; mediation about it reached an agreement, no appeal.
    cases["Pip"] = case = open_assessment(child("Pip", 4), date(2025, 2, 3), coordinator, team)
    record(case, "decided_to_assess", date(2025, 3, 10), coordinator)
    record(case, "decided_not_to_issue", date(2025, 6, 2), coordinator, reason="Needs can be met without a plan")
    refusal = dispute(case, AppealType.REFUSAL_TO_ISSUE, date(2025, 6, 2), coordinator)
    mediation(refusal, coordinator, requested_on=date(2025, 6, 20), held_on=date(2025, 7, 10), outcome="agreement")

    # Ros: a plan issued; the family appealed against its contents (mediation asked for, not held).
    cases["Ros"] = case = open_assessment(child("Ros", 5), date(2025, 2, 3), coordinator, team)
    issue_plan(
        case,
        coordinator,
        assess_on=date(2025, 3, 10),
        decide_on=date(2025, 5, 1),
        draft_on=date(2025, 5, 12),
        final_on=date(2025, 6, 16),
    )
    contents = dispute(case, AppealType.PLAN_CONTENTS, date(2025, 6, 16), coordinator)
    mediation(contents, coordinator, requested_on=date(2025, 7, 1), held_on=None)
    appeal(contents, coordinator, date(2025, 8, 1), "EH5")

    # Tam: decided to assess, the decision whether to issue not yet made; an appeal about
    # disability discrimination is registered, but no item is about an assessment still open.
    cases["Tam"] = case = open_assessment(child("Tam", 6), date(2025, 10, 1), coordinator, team)
    record(case, "decided_to_assess", date(2025, 11, 10), coordinator)
    discrimination = dispute(case, AppealType.DISABILITY_DISCRIMINATION, date(2025, 11, 10), coordinator)
    appeal(discrimination, coordinator, date(2025, 12, 1), "EH6")

    db.session.commit()
    return {"team": team, "coordinator": coordinator, "cases": cases}


def items(request: ET.Element) -> dict[str, str | None]:
    """The mediation and tribunal items written in a Requests group (and its Assessment)."""
    found = {e.tag: e.text for e in request if e.tag in DISPUTE_TAGS}
    assessment = request.find("Assessment")
    if assessment is not None:
        found.update({e.tag: e.text for e in assessment if e.tag in DISPUTE_TAGS})
    return found


def requests_of(xml: bytes) -> dict[str, ET.Element]:
    return {name: p.find("Requests") for name, p in persons_by_name(xml).items()}


def test_mediation_held_and_an_appeal_registered_about_the_refusal_to_assess(disputed):
    request = requests_of(build().xml)["Nia"]
    assert [(e.tag, e.text) for e in request] == [
        ("ReceivedDate", "2025-04-01"),
        ("RequestSource", "1"),
        ("RYA", "0"),
        ("RequestOutcomeDate", "2025-05-06"),
        ("RequestOutcome", "N"),
        ("RequestMediation", "1"),
        ("RequestTribunal", "1"),
    ]


def test_a_refusal_to_assess_without_a_dispute_is_written_as_no_and_no(disputed):
    assert items(requests_of(build().xml)["Cal"]) == {"RequestMediation": "0", "RequestTribunal": "0"}


def test_steps_after_the_census_date_and_disputes_about_something_else_do_not_count(disputed):
    assert items(requests_of(build().xml)["Oli"]) == {"RequestMediation": "0", "RequestTribunal": "0"}


def test_mediation_about_the_decision_not_to_issue(disputed):
    request = requests_of(build().xml)["Pip"]
    assert items(request) == {"AssessmentMediation": "1", "AssessmentTribunal": "0"}
    assert [(e.tag, e.text) for e in request.find("Assessment")] == [
        ("AssessmentOutcome", "N"),
        ("AssessmentOutcomeDate", "2025-06-02"),
        ("AssessmentMediation", "1"),
        ("AssessmentTribunal", "0"),
    ]


def test_an_appeal_about_the_contents_of_an_issued_plan(disputed):
    request = requests_of(build().xml)["Ros"]
    # Mediation was asked for but not held: only the appeal counts.
    assert items(request) == {"OtherMediation": "0", "OtherTribunal": "1"}
    assert [e.tag for e in request.find("Assessment")] == [
        "AssessmentOutcome",
        "AssessmentOutcomeDate",
        "OtherMediation",
        "OtherTribunal",
        "Week20",
        "NamedPlan",
    ]


def test_no_item_beside_an_outcome_it_is_not_about(disputed):
    assert items(requests_of(build().xml)["Tam"]) == {}
    xml = build().xml
    # Each item only beside its own outcome, whatever the disputes.
    for request in ET.fromstring(xml).iter("Requests"):
        outcome = request.findtext("RequestOutcome")
        assessment_outcome = request.findtext("Assessment/AssessmentOutcome")
        written = set(items(request))
        assert ({"RequestMediation", "RequestTribunal"} <= written) == (outcome == "N")
        assert ({"AssessmentMediation", "AssessmentTribunal"} <= written) == (assessment_outcome == "N")
        assert ({"OtherMediation", "OtherTribunal"} <= written) == (assessment_outcome == "Y")


def test_the_file_with_the_items_still_matches_the_schema(disputed):
    result = build()
    assert result.schema_errors == []
    assert list(collection_for(2026).validate(result.xml)) == []
    written = {e.tag for e in ET.fromstring(result.xml).iter() if e.tag in DISPUTE_TAGS}
    assert written == set(DISPUTE_TAGS)


def test_the_disputes_are_read_in_one_go_however_many_there_are(disputed):
    """The number of statements does not grow with the number of disputes (no query per case)."""
    period = sen2.collection_period(date(2026, 1, 15), today=TODAY)
    coordinator_id = disputed["coordinator"].id
    case_ids = {name: case.id for name, case in disputed["cases"].items()}

    def statements() -> int:
        db.session.expunge_all()
        seen: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            sen2.gather(period)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    coordinator = db.session.get(User, coordinator_id)
    for name, about in (("Cal", AppealType.REFUSAL_TO_ASSESS), ("Ros", AppealType.HEALTH_AND_SOCIAL_CARE)):
        case = db.session.get(Case, case_ids[name])
        more = dispute(case, about, date(2025, 12, 1), coordinator)
        appeal(more, coordinator, date(2025, 12, 10), f"EH-{name}")
    db.session.commit()
    assert statements() == before
    requests = requests_of(build().xml)
    assert items(requests["Cal"]) == {"RequestMediation": "0", "RequestTribunal": "1"}
    assert items(requests["Ros"]) == {"OtherMediation": "0", "OtherTribunal": "1"}
