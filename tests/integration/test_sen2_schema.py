"""The SEN2 return against the 2026 collection's schema (kept in the project's own form in
ehc_tracker/sen2_rules/): the validator itself, a hand-built population covering every item the
records hold and the reference-period boundaries, and the demo data's return."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Plan, RequestSource
from ehc_tracker.models.child import SenNeed
from ehc_tracker.sen2_rules import census_date_for, collection_for, la_code_for, la_codes
from ehc_tracker.sen2_rules.schema import validate as validate_schema
from ehc_tracker.services import cases as case_service
from tests.helpers import create_team, create_user
from tests.integration.test_sen2 import CENSUS, TODAY, build, open_review, person, persons_by_name, record, upn

COLLECTION = collection_for(2026)

# --- The validator ---------------------------------------------------------------------------------

GOOD_HEADER = (
    "<Header><CollectionDetails><Collection>SEN2</Collection><Year>2026</Year><ReferenceDate>2026-01-15</ReferenceDate></CollectionDetails>"
    "<Source><SourceLevel>L</SourceLevel><LEA>383</LEA><SerialNo>001</SerialNo><DateTime>2026-01-31T09:30:00</DateTime>"
    "<DMO>Y</DMO><DCO>N</DCO><DSCO>R</DSCO></Source></Header>"
)
GOOD_PERSON = (
    "<Person><Surname>Ash</Surname><Forename>Amy</Forename><PersonBirthDate>2014-06-01</PersonBirthDate><Sex>F</Sex>"
    "<Ethnicity>WBRI</Ethnicity><PostCode>LS1 1AA</PostCode><UPNunknown>UN2</UPNunknown>"
    "<Requests><ReceivedDate>2025-02-03</ReceivedDate><RequestSource>2</RequestSource><RequestOutcome>A</RequestOutcome></Requests></Person>"
)


def errors_of(persons: str, header: str = GOOD_HEADER) -> list[str]:
    root = ET.fromstring(f"<Message>{header}<Persons>{persons}</Persons></Message>")
    return [str(e) for e in validate_schema(root, COLLECTION.message)]


def test_a_valid_document_has_no_errors():
    assert errors_of(GOOD_PERSON) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("<Sex>F</Sex>", ""), "Message/Persons/Person[1]: Sex is required in Person"),
        (("<Sex>F</Sex>", "<Sex>X</Sex>"), "Sex 'X' is not in the sex code list"),
        (("<Sex>F</Sex>", "<Sex></Sex>"), "Sex is empty"),
        (
            ("<PersonBirthDate>2014-06-01</PersonBirthDate>", "<PersonBirthDate>2014-02-30</PersonBirthDate>"),
            "is not a date",
        ),
        (("<UPNunknown>UN2</UPNunknown>", ""), "Person needs one of UPN, UniqueLearnerNumber, UPNunknown"),
        (("<UPNunknown>UN2</UPNunknown>", "<UPN>A12345678901</UPN>"), "does not match the UPN pattern"),
        (("<UPNunknown>UN2</UPNunknown>", "<UPNunknown>UN11</UPNunknown>"), "not in the UPN unknown reason code list"),
        (
            ("<RequestSource>2</RequestSource>", "<RequestSource>6</RequestSource>"),
            "not in the request source code list",
        ),
        # Out of order: RequestSource after RequestOutcome.
        (
            (
                "<RequestSource>2</RequestSource><RequestOutcome>A</RequestOutcome>",
                "<RequestOutcome>A</RequestOutcome><RequestSource>2</RequestSource>",
            ),
            "RequestSource is out of order in Requests",
        ),
        (("<Requests>", "<Requests><Bogus>1</Bogus>"), "is not an element of Requests"),
        (
            (
                "<Requests><ReceivedDate>2025-02-03</ReceivedDate><RequestSource>2</RequestSource><RequestOutcome>A</RequestOutcome></Requests>",
                "",
            ),
            "Requests is required in Person",
        ),
    ],
)
def test_each_kind_of_schema_error_is_found(change, expected):
    old, new = change
    assert old in GOOD_PERSON
    found = errors_of(GOOD_PERSON.replace(old, new))
    assert any(expected in e for e in found), found


def test_cardinality_and_placements():
    placement = "<PlacementDetail><URN>100000</URN><PlacementRank>1</PlacementRank><EntryDate>2025-09-04</EntryDate><SENunitIndicator>0</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>"
    need = "<SENneed><SENtype>DS</SENtype><SENtypeRank>1</SENtypeRank></SENneed>"
    active = f"<ActivePlans><TransferLA>383</TransferLA>{placement}{need}<ReviewMeeting>2025-11-03</ReviewMeeting><ReviewDraft>2025-11-20</ReviewDraft></ActivePlans>"
    person = GOOD_PERSON.replace("</Requests>", active + "</Requests>")
    assert errors_of(person) == []
    three = person.replace(placement, placement * 3)
    assert any("PlacementDetail may occur at most 2 times here" in e for e in errors_of(three))
    no_id = person.replace("<URN>100000</URN>", "")
    assert any("PlacementDetail needs one of URN, UKPRN, SENSetting" in e for e in errors_of(no_id))
    # The 2026 items are in their place: ReviewDraft after LastReview is out of order.
    swapped = person.replace("<ReviewDraft>2025-11-20</ReviewDraft>", "").replace(
        "<ReviewMeeting>2025-11-03</ReviewMeeting>",
        "<LastReview>2025-11-03</LastReview><ReviewDraft>2025-11-20</ReviewDraft>",
    )
    assert any("ReviewDraft is out of order in ActivePlans" in e for e in errors_of(swapped))
    assert any(
        "TransferLA '38' does not match" in e
        for e in errors_of(person.replace("<TransferLA>383</TransferLA>", "<TransferLA>38</TransferLA>"))
    )


def test_the_header_and_the_inferred_2026_positions_are_named():
    assert any(
        "DSCO is required in Source" in e for e in errors_of(GOOD_PERSON, GOOD_HEADER.replace("<DSCO>R</DSCO>", ""))
    )
    inferred = dict(COLLECTION.inferred())
    assert set(inferred) == {
        "Message/Header/Source/DSCO",
        "Message/Persons/Person/Requests/RequestSource",
        "Message/Persons/Person/Requests/ActivePlans/ReviewDraft",
        "Message/Persons/Person/Requests/ActivePlans/PhaseTransferDueDate",
        "Message/Persons/Person/Requests/ActivePlans/PhaseTransferFinalDate",
    }
    assert all(why for why in inferred.values())
    assert COLLECTION.order()["ActivePlans"] == (
        "TransferLA",
        "PlacementDetail",
        "SENneed",
        "ReviewMeeting",
        "ReviewOutcome",
        "ReviewDraft",
        "PhaseTransferDueDate",
        "PhaseTransferFinalDate",
        "LastReview",
    )


def test_the_year_s_rules_are_entries_and_la_codes_a_list():
    assert collection_for(2027) is COLLECTION and collection_for(2020) is COLLECTION
    assert COLLECTION.period(date(2027, 1, 21)).starts_on == date(2026, 1, 1)
    assert census_date_for(2027) == date(2027, 1, 21)
    codes = la_codes()
    assert len(codes) == 153 and codes["383"] == "Leeds" and all(len(c) == 3 and c.isdigit() for c in codes)
    assert la_code_for("Leeds City Council") == "383" and la_code_for("London Borough of Camden") == "202"
    assert la_code_for("City of London") == "201" and la_code_for("Council") is None and la_code_for("999") is None


# --- A hand-built population: every item, and the boundaries of the reference period ----------------


@pytest.fixture
def everyone(app):
    team = create_team(name="SEN team")
    coordinator = create_user(role="coordinator", teams=[team])
    kids = {}

    def assessment(child, received_on, source=RequestSource.PARENT):
        return case_service.open_assessment(
            child=child,
            received_on=received_on,
            source=source,
            team=team,
            coordinator=coordinator,
            actor=coordinator,
            today=TODAY,
        )

    def plan_with_review(child, issued_on, *, ceased_on=None, reason=None):
        plan = Plan(child_id=child.id, issued_on=issued_on, ceased_on=ceased_on, cease_reason=reason)
        db.session.add(plan)
        db.session.flush()
        case_service.open_annual_review(
            child=child,
            plan=plan,
            last_reviewed_on=issued_on,
            team_id=team.id,
            coordinator_id=coordinator.id,
            actor=coordinator,
        )
        return plan

    # Boundaries of the requests: 1 January and 31 December 2025 are in; 31 December 2024 (its
    # work finished in 2024), 1 January 2026 and the census day belong to other returns.
    kids["jan1"] = c = person(team=team, first_name="Jan", last_name="One", upn=upn("383000000001"))
    assessment(c, date(2025, 1, 1), RequestSource.SCHOOL)
    kids["jan16"] = c = person(team=team, first_name="Jan", last_name="Sixteen", upn=upn("383000000002"))
    assessment(c, date(2025, 1, 16), RequestSource.HEALTH)
    kids["dec31"] = c = person(team=team, first_name="Dec", last_name="Last", upn=upn("383000000003"))
    assessment(c, date(2025, 12, 31), RequestSource.OTHER)
    kids["before"] = c = person(team=team, first_name="Old", last_name="Year", upn=upn("383000000004"))
    record(assessment(c, date(2024, 12, 31)), "withdrawn", date(2024, 12, 31), coordinator, reason="Moved away")
    kids["newyear"] = c = person(team=team, first_name="New", last_name="Year", upn=upn("383000000005"))
    assessment(c, date(2026, 1, 1))
    kids["census"] = c = person(team=team, first_name="Census", last_name="Day", upn=upn("383000000006"))
    assessment(c, CENSUS)

    # Received and decided to assess in 2024, the plan decided and issued in 2025: reported with
    # its decisions (not as historical), as the work went on into the year.
    kids["carried"] = c = person(
        team=team,
        first_name="Carried",
        last_name="Over",
        upn=upn("383000000013"),
        setting_urn="100005",
        primary_need=SenNeed.SPLD,
        setting_started_on=date(2021, 9, 6),
    )
    case = assessment(c, date(2024, 10, 1))
    record(case, "decided_to_assess", date(2024, 11, 12), coordinator)
    record(case, "decided_to_issue", date(2025, 1, 20), coordinator)
    record(case, "draft_plan_issued", date(2025, 1, 27), coordinator)
    record(case, "final_plan_issued", date(2025, 2, 24), coordinator, named_settings="Hill Primary")

    # A young person's own request (RYA 1), identified by a ULN; a child with neither UPN nor
    # ULN but the reason recorded.
    kids["yp"] = c = person(
        team=team, first_name="Young", last_name="Person", uln="1234567890", date_of_birth=date(2007, 3, 1)
    )
    assessment(c, date(2025, 5, 5), RequestSource.YOUNG_PERSON)
    kids["unknown"] = c = person(team=team, first_name="Una", last_name="Known", upn_unknown_reason="UN4")
    assessment(c, date(2025, 6, 6))

    # Plans ending: on 31 December 2025 (reported as ended), on 10 January 2026 (after the year,
    # not active on the census day: in neither list), and one active on the census day.
    kids["ended"] = c = person(
        team=team, first_name="Ended", last_name="December", upn=upn("383000000007"), setting_urn="100001"
    )
    plan_with_review(c, date(2020, 3, 1), ceased_on=date(2025, 12, 31), reason="7")
    kids["ended_jan"] = c = person(
        team=team, first_name="Ended", last_name="January", upn=upn("383000000008"), setting_urn="100002"
    )
    plan_with_review(c, date(2020, 3, 1), ceased_on=date(2026, 1, 10), reason="2")

    # An active plan with everything: a place by SEN setting code (home education), its start
    # there recorded, in a SEN unit; Down syndrome and a secondary need; review meetings on the
    # census day (reported) and the day after (not).
    kids["full"] = c = person(
        team=team,
        first_name="Full",
        last_name="House",
        upn=upn("383000000009"),
        sen_setting="EHE",
        setting_started_on=date(2024, 9, 4),
        setting_sen_unit=True,
        primary_need=SenNeed.DS,
        secondary_need=SenNeed.SLCN,
    )
    plan_with_review(c, date(2021, 5, 1))
    review = open_review(c)
    record(review, "review_meeting_held", date(2025, 4, 20), coordinator)
    record(review, "review_decision_notified", date(2025, 5, 1), coordinator, decision="maintain")
    review = open_review(c)
    record(review, "review_meeting_held", CENSUS, coordinator)
    kids["late_meeting"] = c = person(
        team=team,
        first_name="Late",
        last_name="Meeting",
        upn=upn("383000000010"),
        setting_urn="100003",
        setting_started_on=date(2022, 9, 5),
        primary_need=SenNeed.ASD,
    )
    plan_with_review(c, date(2021, 5, 1))
    record(open_review(c), "review_meeting_held", date(2026, 1, 16), coordinator)

    # Plans transferred in during the year: from an authority on the DfE's list, and from one not.
    kids["transfer"] = c = person(
        team=team,
        first_name="Trans",
        last_name="Fer",
        upn=upn("383000000011"),
        setting_ukprn="10000002",
        setting_started_on=date(2025, 4, 22),
        primary_need=SenNeed.SEMH,
    )
    case_service.open_transfer_in(
        child=c,
        transferred_on=date(2025, 4, 14),
        plan_issued_on=date(2023, 2, 1),
        last_reviewed_on=date(2024, 11, 1),
        previous_authority="Leeds City Council",
        named_settings="North College",
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=TODAY,
    )
    kids["abroad"] = c = person(
        team=team,
        first_name="From",
        last_name="Elsewhere",
        upn=upn("383000000012"),
        setting_urn="100004",
        setting_started_on=date(2025, 6, 2),
        primary_need=SenNeed.MLD,
    )
    case_service.open_transfer_in(
        child=c,
        transferred_on=date(2025, 5, 20),
        plan_issued_on=date(2024, 2, 1),
        last_reviewed_on=date(2025, 1, 10),
        previous_authority="Narnia County Council",
        named_settings="Hill School",
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    return kids


def test_the_population_s_return_has_no_schema_errors(everyone):
    result = build()
    assert COLLECTION.validate(result.xml) == []
    assert result.schema_errors == []


def test_the_reference_period_boundaries(everyone):
    people = persons_by_name(build().xml)
    names = {(p.findtext("Forename"), p.findtext("Surname")) for p in people.values()}
    result = build()
    surnames = {p.findtext("Surname") for p in ET.fromstring(result.xml).iter("Person")}
    assert {"One", "Sixteen", "Last"} <= surnames
    assert not surnames & {"Year", "Day", "January"}, names
    ended = next(p for p in ET.fromstring(result.xml).iter("Person") if p.findtext("Surname") == "December")
    plan = ended.find("Requests/Assessment/NamedPlan")
    assert (plan.findtext("CeaseDate"), plan.findtext("CeaseReason")) == ("2025-12-31", "7") and ended.find(
        "Requests/ActivePlans"
    ) is None


def person_named(result, surname):
    return next(p for p in ET.fromstring(result.xml).iter("Person") if p.findtext("Surname") == surname)


def test_every_item_the_records_hold(everyone):
    result = build()
    sources = {
        s: person_named(result, s).findtext("Requests/RequestSource")
        for s in ("One", "Sixteen", "Last", "Person", "Known")
    }
    assert sources == {"One": "2", "Sixteen": "3", "Last": "5", "Person": "1", "Known": "1"}
    yp = person_named(result, "Person")
    assert (
        yp.findtext("UniqueLearnerNumber") == "1234567890"
        and yp.find("UPN") is None
        and yp.findtext("Requests/RYA") == "1"
    )
    una = person_named(result, "Known")
    assert una.findtext("UPNunknown") == "UN4" and una.find("UPN") is None

    full = person_named(result, "House").find("Requests/ActivePlans")
    assert [(e.tag, e.text) for e in full.find("PlacementDetail")] == [
        ("SENSetting", "EHE"),
        ("PlacementRank", "1"),
        ("EntryDate", "2024-09-04"),
        ("SENunitIndicator", "1"),
        ("ResourcedProvisionIndicator", "0"),
    ]
    assert [(n.findtext("SENtype"), n.findtext("SENtypeRank")) for n in full.findall("SENneed")] == [
        ("DS", "1"),
        ("SLCN", "2"),
    ]
    # The most recent meeting held on or before the census day, beside the last review decision.
    assert (full.findtext("ReviewMeeting"), full.findtext("LastReview"), full.find("ReviewOutcome")) == (
        "2026-01-15",
        "2025-05-01",
        None,
    )
    late = person_named(result, "Meeting").find("Requests/ActivePlans")
    assert late.find("ReviewMeeting") is None and late.findtext("PlacementDetail/EntryDate") == "2022-09-05"

    carried = person_named(result, "Over").find("Requests")
    assert [(e.tag, e.text) for e in carried if e.tag in ("ReceivedDate", "RequestOutcomeDate", "RequestOutcome")] == [
        ("ReceivedDate", "2024-10-01"),
        ("RequestOutcomeDate", "2024-11-12"),
        ("RequestOutcome", "Y"),
    ]
    assert (carried.findtext("Assessment/AssessmentOutcome"), carried.findtext("Assessment/AssessmentOutcomeDate")) == (
        "Y",
        "2025-02-24",
    )
    assert carried.findtext("ActivePlans/PlacementDetail/EntryDate") == "2021-09-06"
    transfer = person_named(result, "Fer").find("Requests")
    assert transfer.findtext("RequestOutcome") == "H" and transfer.findtext("Assessment/AssessmentOutcome") == "H"
    assert transfer.findtext("Assessment/NamedPlan/StartDate") == "2023-02-01"
    assert (
        transfer.findtext("ActivePlans/TransferLA") == "383"
        and transfer.findtext("ActivePlans/PlacementDetail/UKPRN") == "10000002"
    )
    elsewhere = person_named(result, "Elsewhere")
    assert elsewhere.find("Requests/ActivePlans/TransferLA") is None
    rules = {(f.child_id, f.rule) for f in result.failures}
    assert (everyone["abroad"].id, "transfer_la_unknown") in rules
    assert not any(rule == "upn_missing" for _, rule in rules)
    # No element is ever empty.
    assert all((e.text or "").strip() or len(e) for e in ET.fromstring(result.xml).iter())


# --- The demo data -------------------------------------------------------------------------------------


def test_the_demo_return_has_no_schema_errors_and_a_few_business_rule_failures(app):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ehc_tracker.demo import DEMO_CHILDREN, seed_demo_children, seed_sen2_settings, seed_teams_and_users
    from ehc_tracker.sen2 import header_settings
    from ehc_tracker.services import sen2

    LONDON = ZoneInfo("Europe/London")

    today = date(2026, 11, 30)
    seed_teams_and_users()
    seed_sen2_settings()
    seed_demo_children(DEMO_CHILDREN, today=today)  # exactly what `flask seed-demo` makes
    result = sen2.build_return(
        date(2026, 1, 15), header=header_settings(), today=today, now=datetime(2026, 11, 30, 9, tzinfo=LONDON)
    )
    assert result.persons > 40 and result.active_plans > 20
    assert result.schema_errors == [], result.schema_errors[:5]
    counts = {c.rule: c.count for c in result.counts_by_rule()}
    errors = {rule: n for rule, n in counts.items() if rule not in result.warnings}
    assert errors and sum(errors.values()) <= result.persons // 5, counts
    assert "plan_start_unknown" in errors and counts.get("entry_date_assumed", 0) > 0


def test_business_rules_on_identifiers_ages_and_dates(everyone):
    kids = everyone
    body = "383000000001"
    right = kids["jan1"].upn
    wrong = next(letter for letter in "ABCDEFGHJKLMNPQRTUVWXYZ" if letter != right[0]) + body
    kids["jan1"].upn = wrong
    kids["jan16"].postcode = "LS1"
    kids["full"].date_of_birth = date(1999, 6, 1)
    kids["full"].secondary_need = SenNeed.DS
    db.session.commit()
    result = build()
    rules = {(f.child_id, f.rule) for f in result.failures}
    assert (kids["jan1"].id, "upn_invalid") in rules
    assert (kids["jan16"].id, "postcode_invalid") in rules
    assert (kids["full"].id, "age_over_25") in rules and (kids["full"].id, "need_duplicate") in rules
    # A wrong check letter and a short postcode still fit the schema's patterns: only the rules catch them.
    assert result.schema_errors == []
    counts = {c.rule: c.count for c in result.counts_by_rule()}
    assert counts["upn_invalid"] == 1 and counts["postcode_invalid"] == 1
