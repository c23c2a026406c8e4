"""The SEN2 return: a small population built by hand, checked element by element, and the
validation report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Case, CaseType, EventType, RequestSource
from ehc_tracker.models.child import Ethnicity, SenNeed, Sex
from ehc_tracker.services import ServiceError, sen2
from ehc_tracker.services import cases as case_service
from ehc_tracker.services.children import upn_check_letter
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

TODAY = date(2026, 1, 31)
CENSUS = date(2026, 1, 15)
HEADER = sen2.HeaderSettings(la_code="201", dmo="Y", dco="N", dsco="R")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 1, 31, 9, 30, tzinfo=LONDON)


def upn(body: str) -> str:
    return upn_check_letter(body) + body


def record(case, kind: str, on: date, actor, **details) -> None:
    case_service.record_event(case, EventType(kind), on, actor=actor, today=TODAY, **details)


def open_assessment(child, received_on: date, actor, team) -> Case:
    return case_service.open_assessment(
        child=child,
        received_on=received_on,
        source=RequestSource.PARENT,
        team=team,
        coordinator=actor,
        actor=actor,
        today=TODAY,
    )


def open_review(child) -> Case:
    return next(c for c in child.cases if c.case_type is CaseType.ANNUAL_REVIEW and c.is_open)


def issue_plan(
    case, actor, *, assess_on: date, decide_on: date, draft_on: date, final_on: date, named: str = "Hill Primary"
) -> None:
    record(case, "decided_to_assess", assess_on, actor)
    record(case, "decided_to_issue", decide_on, actor)
    record(case, "draft_plan_issued", draft_on, actor)
    record(case, "final_plan_issued", final_on, actor, named_settings=named)


def person(**kw):
    values = dict(sex=Sex.FEMALE, ethnicity=Ethnicity.WBRI, postcode="LS1 1AA", date_of_birth=date(2014, 6, 1))
    values.update(kw)
    return create_child(commit=False, **values)


@pytest.fixture
def population(app):
    """Children A to L, each showing one thing the return must get right (see the comments)."""
    team = create_team(name="SEN team")
    coordinator = create_user(role="coordinator", teams=[team])
    manager = create_user(role="manager", teams=[team])
    shared_upn = upn("201234567890")
    kids = {}

    # A: request in the period, plan issued on time, active on the census date; a review
    # meeting held after the census date is not reported.
    kids["A"] = a = person(
        team=team,
        first_name="Amy",
        last_name="Ash",
        upn=shared_upn,
        primary_need=SenNeed.ASD,
        secondary_need=SenNeed.SLCN,
        setting_urn="100000",
        setting_name="Hill Primary",
    )
    case = open_assessment(a, date(2025, 2, 3), coordinator, team)
    issue_plan(
        case,
        coordinator,
        assess_on=date(2025, 3, 10),
        decide_on=date(2025, 5, 1),
        draft_on=date(2025, 5, 12),
        final_on=date(2025, 6, 16),
    )
    record(open_review(a), "review_meeting_held", date(2026, 1, 20), coordinator)

    # B: withdrawn before the decision to assess; no UPN or ULN, no sex recorded.
    kids["B"] = b = person(team=team, first_name="Ben", last_name="Birch", sex=None)
    case = open_assessment(b, date(2025, 3, 3), coordinator, team)
    record(case, "withdrawn", date(2025, 3, 20), coordinator, reason="Family moved away")

    # C: the authority decided not to assess; shares A's UPN.
    kids["C"] = c = person(team=team, first_name="Cal", last_name="Cedar", upn=shared_upn)
    case = open_assessment(c, date(2025, 4, 1), coordinator, team)
    record(case, "decided_not_to_assess", date(2025, 5, 6), coordinator, reason="Needs met at SEN support")

    # D: a plan made in 2024 that ended in the period (reason 3, higher education).
    kids["D"] = d = person(
        team=team,
        first_name="Dee",
        last_name="Dale",
        upn=upn("201234567891"),
        setting_urn="100002",
        primary_need=SenNeed.SPLD,
        date_of_birth=date(2006, 3, 1),
    )
    case = open_assessment(d, date(2023, 9, 1), coordinator, team)
    issue_plan(
        case,
        coordinator,
        assess_on=date(2023, 10, 9),
        decide_on=date(2023, 12, 1),
        draft_on=date(2023, 12, 11),
        final_on=date(2024, 1, 15),
    )
    review = open_review(d)
    record(review, "review_meeting_held", date(2025, 3, 10), coordinator)
    record(review, "review_decision_notified", date(2025, 3, 20), coordinator, decision="cease")
    record(review, "plan_ceased", date(2025, 9, 1), coordinator, cease_reason="3")

    # E: an older plan, reviewed (maintained) in 2024, reviewed again in the period and amended;
    # no setting URN and no type of need recorded.
    kids["E"] = e = person(team=team, first_name="Eve", last_name="Elm", upn=upn("201234567892"), sex=Sex.MALE)
    case = open_assessment(e, date(2023, 5, 1), coordinator, team)
    issue_plan(
        case,
        coordinator,
        assess_on=date(2023, 6, 5),
        decide_on=date(2023, 8, 1),
        draft_on=date(2023, 8, 14),
        final_on=date(2023, 9, 20),
    )
    review = open_review(e)
    record(review, "review_meeting_held", date(2024, 9, 10), coordinator)
    record(review, "review_decision_notified", date(2024, 9, 25), coordinator, decision="maintain")
    review = open_review(e)
    record(review, "review_meeting_held", date(2025, 9, 8), coordinator)
    record(review, "review_decision_notified", date(2025, 9, 30), coordinator, decision="amend")
    record(review, "amendments_proposed", date(2025, 9, 30), coordinator)  # reg 22(2): with the decision (Devon)
    record(review, "amended_plan_issued", date(2025, 11, 20), coordinator, named_settings="Hill Secondary")

    # F: decided to assess, the decision whether to issue not yet made.
    kids["F"] = f = person(team=team, first_name="Fay", last_name="Fir", upn=upn("201234567893"))
    case = open_assessment(f, date(2025, 10, 1), coordinator, team)
    record(case, "decided_to_assess", date(2025, 11, 10), coordinator)

    # G: received before the period, the decision to assess before it too (H), the plan issued
    # late in the period with an approved exception (Week20 = 1); the setting has a UKPRN.
    kids["G"] = g = person(
        team=team,
        first_name="Gus",
        last_name="Gorse",
        upn=upn("201234567894"),
        setting_ukprn="10000001",
        primary_need=SenNeed.SEMH,
        date_of_birth=date(2008, 1, 1),
    )
    case = open_assessment(g, date(2024, 12, 2), coordinator, team)
    record(case, "decided_to_assess", date(2025, 1, 6), coordinator)
    exception = case_service.propose_exception(
        case,
        milestone_key="final_plan",
        limb="personal_circumstances",
        starts_on=date(2025, 2, 1),
        ends_on=None,
        reason="Young person in hospital for six weeks",
        evidence=None,
        actor=coordinator,
        today=TODAY,
    )
    case_service.decide_exception(exception, approve=True, note="", actor=manager)
    record(case, "decided_to_issue", date(2025, 3, 3), coordinator)
    record(case, "draft_plan_issued", date(2025, 3, 24), coordinator)
    record(case, "final_plan_issued", date(2025, 4, 28), coordinator, named_settings="North College")

    # I: a plan made before the service was used, known only by its annual review.
    kids["I"] = i = person(
        team=team,
        first_name="Ian",
        last_name="Ivy",
        upn=upn("201234567895"),
        setting_urn="100003",
        primary_need=SenNeed.MLD,
    )
    case_service.open_annual_review(
        child=i,
        plan=None,
        last_reviewed_on=date(2025, 5, 1),
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )

    # K: decided not to assess before the period: not in the return.
    kids["K"] = k = person(team=team, first_name="Kit", last_name="Kale", upn=upn("201234567896"))
    case = open_assessment(k, date(2024, 3, 1), coordinator, team)
    record(case, "decided_not_to_assess", date(2024, 4, 1), coordinator)

    # L: request received after the census date: not in the return.
    kids["L"] = l_ = person(team=team, first_name="Lou", last_name="Lime", upn=upn("201234567897"))
    open_assessment(l_, date(2026, 1, 20), coordinator, team)

    db.session.commit()
    return {"team": team, "coordinator": coordinator, "manager": manager, "kids": kids}


def build(**kw):
    return sen2.build_return(CENSUS, header=kw.pop("header", HEADER), today=TODAY, now=NOW, **kw)


def persons_by_name(xml: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    return {p.findtext("Forename"): p for p in root.find("Persons")}


def children_tags(element: ET.Element) -> list[str]:
    return [c.tag for c in element]


def assert_in_schema_order(element: ET.Element, sequence: tuple[str, ...]) -> None:
    tags = children_tags(element)
    assert all(t in sequence for t in tags), tags
    positions = [sequence.index(t) for t in tags]
    assert positions == sorted(positions), tags


def test_collection_period_and_census_dates():
    assert sen2.census_date_for(2026) == date(2026, 1, 15)
    assert sen2.census_date_for(2025) == date(2025, 1, 16)
    assert sen2.latest_census_date(date(2026, 1, 14)) == date(2025, 1, 16)
    assert sen2.latest_census_date(date(2026, 6, 1)) == date(2026, 1, 15)
    period = sen2.collection_period(CENSUS, today=TODAY)
    # The calendar year before the census: 1 January to 31 December, both included.
    assert (period.starts_on, period.ends_on, period.census_date) == (date(2025, 1, 1), date(2025, 12, 31), CENSUS)
    assert date(2025, 1, 1) in period and date(2025, 12, 31) in period
    assert date(2024, 12, 31) not in period and date(2026, 1, 1) not in period and CENSUS not in period
    with pytest.raises(ServiceError, match="January"):
        sen2.collection_period(date(2026, 2, 1), today=date(2026, 3, 1))
    with pytest.raises(ServiceError, match="future"):
        sen2.collection_period(date(2027, 1, 21), today=TODAY)


def test_the_xml_is_well_formed_and_has_the_header(population):
    result = build()
    assert result.xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(result.xml)
    assert root.tag == "Message" and children_tags(root) == ["Header", "Persons"]
    header = root.find("Header")
    assert [(e.tag, e.text) for e in header.find("CollectionDetails")] == [
        ("Collection", "SEN2"),
        ("Year", "2026"),
        ("ReferenceDate", "2026-01-15"),
    ]
    source = {e.tag: e.text for e in header.find("Source")}
    assert source == {
        "SourceLevel": "L",
        "LEA": "201",
        "SoftwareCode": "EHC Tracker",
        "Release": sen2.RELEASE,
        "SerialNo": "001",
        "DateTime": "2026-01-31T09:30:00",
        "DMO": "Y",
        "DCO": "N",
        "DSCO": "R",
    }
    assert [e.tag for e in header.find("Source")][-3:] == ["DMO", "DCO", "DSCO"]
    assert result.filename == "SEN2_201_2026.xml"


def test_who_is_in_the_return(population):
    result = build()
    people = persons_by_name(result.xml)
    assert list(people) == ["Amy", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus", "Ian"]
    assert (result.persons, result.requests, result.active_plans, result.ceased_plans) == (8, 8, 4, 1)


def test_every_element_is_in_the_schema_s_order(population):
    root = ET.fromstring(build().xml)
    for p in root.iter("Person"):
        assert_in_schema_order(p, sen2.PERSON_SEQUENCE)
    for r in root.iter("Requests"):
        assert_in_schema_order(r, sen2.REQUESTS_SEQUENCE)
    for a in root.iter("Assessment"):
        assert_in_schema_order(a, sen2.ASSESSMENT_SEQUENCE)
    for n in root.iter("NamedPlan"):
        assert_in_schema_order(n, sen2.NAMED_PLAN_SEQUENCE)
    for d in root.iter("PlanDetail"):
        assert_in_schema_order(d, sen2.PLAN_DETAIL_SEQUENCE)
    for ap in root.iter("ActivePlans"):
        assert_in_schema_order(ap, sen2.ACTIVE_PLANS_SEQUENCE)
    for pd in root.iter("PlacementDetail"):
        assert_in_schema_order(pd, sen2.PLACEMENT_DETAIL_SEQUENCE)


def test_person_details(population):
    amy = persons_by_name(build().xml)["Amy"]
    kid = population["kids"]["A"]
    assert [(e.tag, e.text) for e in amy if e.tag != "Requests"] == [
        ("Surname", "Ash"),
        ("Forename", "Amy"),
        ("PersonBirthDate", "2014-06-01"),
        ("Sex", "F"),
        ("Ethnicity", "WBRI"),
        ("PostCode", "LS1 1AA"),
        ("UPN", kid.upn),
    ]
    ben = persons_by_name(build().xml)["Ben"]
    assert ben.find("Sex") is None and ben.find("UPN") is None and ben.find("UniqueLearnerNumber") is None


def test_a_plan_issued_on_time_in_the_period(population):
    amy = persons_by_name(build().xml)["Amy"]
    (request,) = amy.findall("Requests")
    assert children_tags(request) == [
        "ReceivedDate",
        "RequestSource",
        "RYA",
        "RequestOutcomeDate",
        "RequestOutcome",
        "Assessment",
        "ActivePlans",
    ]
    assert (request.findtext("RequestSource"), request.findtext("RYA")) == ("1", "0")
    assert (
        request.findtext("ReceivedDate"),
        request.findtext("RequestOutcomeDate"),
        request.findtext("RequestOutcome"),
    ) == ("2025-02-03", "2025-03-10", "Y")
    assessment = request.find("Assessment")
    assert children_tags(assessment) == [
        "AssessmentOutcome",
        "AssessmentOutcomeDate",
        "OtherMediation",
        "OtherTribunal",
        "Week20",
        "NamedPlan",
    ]
    assert (
        assessment.findtext("AssessmentOutcome"),
        assessment.findtext("AssessmentOutcomeDate"),
        assessment.findtext("OtherMediation"),
        assessment.findtext("OtherTribunal"),
        assessment.findtext("Week20"),
    ) == ("Y", "2025-06-16", "0", "0", "0")
    plan = assessment.find("NamedPlan")
    assert children_tags(plan) == ["StartDate", "PlanDetail"]
    assert plan.findtext("StartDate") == "2025-06-16"
    assert [(e.tag, e.text) for e in plan.find("PlanDetail")] == [
        ("URN", "100000"),
        ("PlacementRank", "1"),
        ("SENunitIndicator", "0"),
        ("ResourcedProvisionIndicator", "0"),
    ]
    active = request.find("ActivePlans")
    assert children_tags(active) == ["PlacementDetail", "SENneed", "SENneed"]
    assert [(e.tag, e.text) for e in active.find("PlacementDetail")] == [
        ("URN", "100000"),
        ("PlacementRank", "1"),
        ("EntryDate", "2025-06-16"),
        ("SENunitIndicator", "0"),
        ("ResourcedProvisionIndicator", "0"),
    ]
    # No start date at the setting is recorded: the plan's date is used, and flagged.
    assert (population["kids"]["A"].id, "entry_date_assumed") in {(f.child_id, f.rule) for f in build().failures}
    assert [(n.findtext("SENtype"), n.findtext("SENtypeRank")) for n in active.findall("SENneed")] == [
        ("ASD", "1"),
        ("SLCN", "2"),
    ]
    # The review meeting of 20 January 2026 came after the census date.
    assert active.find("ReviewMeeting") is None and active.find("LastReview") is None


def test_withdrawn_and_refused_requests(population):
    people = persons_by_name(build().xml)
    (withdrawn,) = people["Ben"].findall("Requests")
    assert [(e.tag, e.text) for e in withdrawn] == [
        ("ReceivedDate", "2025-03-03"),
        ("RequestSource", "1"),
        ("RYA", "0"),
        ("RequestOutcome", "W"),
    ]
    (refused,) = people["Cal"].findall("Requests")
    assert [(e.tag, e.text) for e in refused] == [
        ("ReceivedDate", "2025-04-01"),
        ("RequestSource", "1"),
        ("RYA", "0"),
        ("RequestOutcomeDate", "2025-05-06"),
        ("RequestOutcome", "N"),
        # No dispute about the refusal: no mediation held, no appeal registered.
        ("RequestMediation", "0"),
        ("RequestTribunal", "0"),
    ]


def test_a_plan_that_ended_in_the_period(population):
    (request,) = persons_by_name(build().xml)["Dee"].findall("Requests")
    assert [(e.tag, e.text) for e in request if e.tag != "Assessment"] == [
        ("ReceivedDate", "2023-09-01"),
        ("RequestOutcome", "H"),
    ]
    assessment = request.find("Assessment")
    assert (
        children_tags(assessment) == ["AssessmentOutcome", "NamedPlan"]
        and assessment.findtext("AssessmentOutcome") == "H"
    )
    plan = assessment.find("NamedPlan")
    assert children_tags(plan) == ["StartDate", "PlanDetail", "CeaseDate", "CeaseReason"]
    assert (plan.findtext("StartDate"), plan.findtext("CeaseDate"), plan.findtext("CeaseReason")) == (
        "2024-01-15",
        "2025-09-01",
        "3",
    )
    assert plan.find("PlanDetail").findtext("URN") == "100002"
    assert request.find("ActivePlans") is None


def test_an_older_plan_reviewed_and_amended_in_the_period(population):
    (request,) = persons_by_name(build().xml)["Eve"].findall("Requests")
    assert request.findtext("RequestOutcome") == "H" and request.find("RequestOutcomeDate") is None
    assert request.find("Assessment").findtext("AssessmentOutcome") == "H"
    assert request.find("Assessment/NamedPlan").findtext("StartDate") == "2023-09-20"
    active = request.find("ActivePlans")
    # No URN and no need recorded: the items are missing, and reported (below).
    assert children_tags(active) == [
        "ReviewMeeting",
        "ReviewOutcome",
        "ReviewDraft",
        "PhaseTransferDueDate",
        "PhaseTransferFinalDate",
        "LastReview",
    ]
    assert [(e.tag, e.text) for e in active] == [
        ("ReviewMeeting", "2025-09-08"),
        ("ReviewOutcome", "A"),
        # 2026 items: the draft amended plan went with the decision; Eve (born June 2014) moved to
        # secondary school in September 2025, so the amended plan was due by 15 February 2025 (a
        # Saturday, so the Friday before).
        ("ReviewDraft", "2025-09-30"),
        ("PhaseTransferDueDate", "2025-02-14"),
        ("PhaseTransferFinalDate", "2025-11-20"),
        ("LastReview", "2025-09-30"),
    ]
    # Once the setting is recorded, the placement's entry date is the day the amended plan named it.
    population["kids"]["E"].setting_urn = "100009"
    db.session.commit()
    (request,) = persons_by_name(build().xml)["Eve"].findall("Requests")
    assert request.findtext("ActivePlans/PlacementDetail/URN") == "100009"
    assert request.findtext("ActivePlans/PlacementDetail/EntryDate") == "2025-11-20"
    # Once the day Eve started there is recorded, that is the entry date, and nothing is flagged.
    population["kids"]["E"].setting_started_on = date(2024, 9, 4)
    db.session.commit()
    result = build()
    (request,) = persons_by_name(result.xml)["Eve"].findall("Requests")
    assert request.findtext("ActivePlans/PlacementDetail/EntryDate") == "2024-09-04"
    assert (population["kids"]["E"].id, "entry_date_assumed") not in {(f.child_id, f.rule) for f in result.failures}


def test_an_assessment_still_deciding_whether_to_issue(population):
    (request,) = persons_by_name(build().xml)["Fay"].findall("Requests")
    assert [(e.tag, e.text) for e in request if e.tag != "Assessment"] == [
        ("ReceivedDate", "2025-10-01"),
        ("RequestSource", "1"),
        ("RYA", "0"),
        ("RequestOutcomeDate", "2025-11-10"),
        ("RequestOutcome", "Y"),
    ]
    assert [(e.tag, e.text) for e in request.find("Assessment")] == [("AssessmentOutcome", "A")]


def test_received_before_the_year_decided_in_it_with_a_late_plan_and_an_exception(population):
    (request,) = persons_by_name(build().xml)["Gus"].findall("Requests")
    # Received in December 2024, the decision to assess on 6 January 2025: inside the calendar year.
    assert [(e.tag, e.text) for e in request if e.tag not in ("Assessment", "ActivePlans")] == [
        ("ReceivedDate", "2024-12-02"),
        ("RequestSource", "1"),
        ("RYA", "0"),
        ("RequestOutcomeDate", "2025-01-06"),
        ("RequestOutcome", "Y"),
    ]
    assessment = request.find("Assessment")
    assert (
        assessment.findtext("AssessmentOutcome"),
        assessment.findtext("AssessmentOutcomeDate"),
        assessment.findtext("Week20"),
    ) == ("Y", "2025-04-28", "1")
    assert [(e.tag, e.text) for e in assessment.find("NamedPlan/PlanDetail")][:2] == [
        ("UKPRN", "10000001"),
        ("PlacementRank", "1"),
    ]
    placement = request.find("ActivePlans/PlacementDetail")
    assert (
        placement.findtext("UKPRN") == "10000001"
        and placement.find("URN") is None
        and placement.findtext("EntryDate") == "2025-04-28"
    )
    assert [(n.findtext("SENtype"), n.findtext("SENtypeRank")) for n in request.findall("ActivePlans/SENneed")] == [
        ("SEMH", "1")
    ]


def test_a_plan_known_only_by_its_annual_review(population):
    (request,) = persons_by_name(build().xml)["Ian"].findall("Requests")
    assert children_tags(request) == ["RequestOutcome", "Assessment", "ActivePlans"]
    # Its start date is not recorded: NamedPlan (which needs one) is left out and the plan is reported.
    assert request.find("Assessment/NamedPlan") is None
    assert request.findtext("ActivePlans/PlacementDetail/URN") == "100003"
    assert request.find("ActivePlans/PlacementDetail/EntryDate") is None


def test_the_validation_report(population):
    kids = population["kids"]
    result = build()
    found = {(f.child_id, f.rule) for f in result.failures}
    assert found == {
        (kids["A"].id, "upn_duplicate"),
        (kids["C"].id, "upn_duplicate"),
        (kids["B"].id, "upn_missing"),
        (kids["B"].id, "sex_missing"),
        (kids["E"].id, "placement_missing"),
        (kids["E"].id, "need_missing"),
        (kids["I"].id, "plan_start_unknown"),
        # No day the child started at the setting: the plan's date is used (a warning).
        (kids["A"].id, "entry_date_assumed"),
        (kids["G"].id, "entry_date_assumed"),
        (kids["I"].id, "entry_date_assumed"),
        # What the DfE's schema refuses: Ben's missing sex and identifier, Eve's missing placement
        # and need, Ian's missing entry date.
        (kids["B"].id, "schema"),
        (kids["E"].id, "schema"),
        (kids["I"].id, "schema"),
    }
    assert sorted(f.message for f in result.schema_errors if f.child_id == kids["B"].id) == [
        "Person: Person needs one of UPN, UniqueLearnerNumber, UPNunknown",
        "Person: Sex is required in Person",
    ]
    counts = {c.rule: (c.count, c.warning) for c in result.counts_by_rule()}
    assert (
        counts["schema"] == (6, False)
        and counts["upn_duplicate"] == (2, False)
        and counts["entry_date_assumed"] == (3, True)
    )
    assert result.counts_by_rule()[0].rule == "schema" and result.counts_by_rule()[-1].warning
    lines = result.report_csv(lambda f: f"/children/{f.child_id}").splitlines()
    assert (
        lines[0] == "rule,severity,rule_description,child_id,child_name,case_id,message,record"
        and len(lines) == len(result.failures) + 1
    )
    assert any(
        line.startswith("upn_missing,error,")
        and f",{kids['B'].id},Ben Birch," in line
        and line.endswith(f"/children/{kids['B'].id}")
        for line in lines
    )
    assert all(f.rule in sen2.VALIDATION_RULES and f.message for f in result.failures)
    assert [f.child_id for f in result.failures] == sorted(f.child_id for f in result.failures)
    by_child = result.failures_by_child()
    assert {f.rule for f in by_child[kids["B"].id]} == {"upn_missing", "sex_missing", "schema"}
    # The file is written all the same, Ben and Eve included.
    assert {"Ben", "Eve"} <= set(persons_by_name(result.xml))


def test_header_settings_missing_are_reported_and_left_out(population):
    result = build(header=sen2.HeaderSettings(la_code="20", dmo=None, dco="X"))
    assert {(f.child_id, f.rule) for f in result.failures if f.child_id is None} == {
        (None, "la_code"),
        (None, "dmo"),
        (None, "dco"),
        (None, "dsco"),
        (None, "schema"),
    }
    assert {f.message for f in result.schema_errors if f.child_id is None} == {
        "Message/Header/Source: LEA is required in Source",
        "Message/Header/Source: DMO is required in Source",
        "Message/Header/Source: DCO is required in Source",
        "Message/Header/Source: DSCO is required in Source",
    }
    source = ET.fromstring(result.xml).find("Header/Source")
    assert source.find("LEA") is None and source.find("DMO") is None and source.find("DCO") is None
    assert result.failures[0].child_id is None


def test_dates_out_of_order_and_age(population):
    kids = population["kids"]
    # Records put wrong by hand, outside the service's checks.
    fay_case = db.session.scalars(select(Case).where(Case.child_id == kids["F"].id)).one()
    decision = next(e for e in fay_case.events if e.event_type is EventType.DECIDED_TO_ASSESS)
    decision.occurred_on = date(2025, 9, 1)
    eve_reviews = db.session.scalars(
        select(Case).where(Case.child_id == kids["E"].id, Case.case_type == CaseType.ANNUAL_REVIEW).order_by(Case.id)
    ).all()
    decided = next(e for e in eve_reviews[1].events if e.event_type is EventType.REVIEW_DECISION_NOTIFIED)
    decided.occurred_on = date(2025, 9, 1)
    kids["G"].date_of_birth = date(1999, 1, 1)
    db.session.commit()
    found = {(f.child_id, f.rule) for f in build().failures}
    assert (kids["F"].id, "outcome_before_received") in found
    assert (kids["E"].id, "review_decision_before_meeting") in found
    assert (kids["G"].id, "age_over_25") in found
    assert (kids["G"].id, "received_before_birth") not in found


def test_as_at_the_census_date_later_steps_do_not_count(population):
    kids = population["kids"]
    coordinator = population["coordinator"]
    fay_case = db.session.scalars(select(Case).where(Case.child_id == kids["F"].id)).one()
    record(fay_case, "decided_to_issue", date(2026, 1, 20), coordinator)
    db.session.commit()
    (request,) = persons_by_name(build().xml)["Fay"].findall("Requests")
    assert request.findtext("Assessment/AssessmentOutcome") == "A"


def test_team_scope(population):
    other = create_team(name="Elsewhere")
    coordinator = create_user(role="coordinator", teams=[other])
    child = create_child(team=other, first_name="Zed", sex=Sex.MALE, ethnicity=Ethnicity.WBRI, postcode="LS1 1AA")
    open_assessment(child, date(2025, 6, 2), coordinator, other)
    db.session.commit()
    assert "Zed" in persons_by_name(build().xml)
    assert list(persons_by_name(build(team_ids={other.id}).xml)) == ["Zed"]
    assert "Zed" not in persons_by_name(build(team_ids={population["team"].id}).xml)
    assert persons_by_name(build(team_ids=set()).xml) == {}


def test_an_empty_return_is_still_well_formed(app):
    result = build()
    root = ET.fromstring(result.xml)
    assert root.find("Persons") is not None and len(root.find("Persons")) == 0
    # The DfE's schema wants at least one Person: an empty return is reported, not sent by mistake.
    assert [(f.rule, f.message) for f in result.failures] == [
        ("schema", "Message/Persons: Person is required in Persons")
    ]


def test_text_xml_cannot_carry_is_dropped(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(
        team=team,
        first_name="Ro\x01se & <Co>",
        upn=upn("201234567899"),
        sex=Sex.FEMALE,
        ethnicity=Ethnicity.WBRI,
        postcode="LS1 1AA",
    )
    open_assessment(child, date(2025, 6, 2), coordinator, team)
    db.session.commit()
    assert ET.fromstring(build().xml).find("Persons/Person").findtext("Forename") == "Rose & <Co>"


def test_exports_are_audited(population):
    result = build()
    sen2.record_export(result, actor=population["manager"], how="downloaded", team_ids={population["team"].id})
    db.session.commit()
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sen2_exported")).one()
    assert entry.actor_id == population["manager"].id and entry.object_id == "2026-01-15"
    assert entry.details["persons"] == 8 and entry.details["failures"] == len(result.failures)
