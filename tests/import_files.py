"""Hand-built moving-in files for the import tests: a spreadsheet and a SEN2 return, each with good
rows and a bad row for every check, and what each is expected to give."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

TODAY = date(2026, 11, 30)
TEAM = "North Team"
OTHER_TEAM = "South Team"
COORDINATOR = "casey@example.org"
OUTSIDER = "sam@example.org"  # a coordinator of the other team
EXISTING_UPN = "Y201000001002"  # a child already recorded by hand

GOOD_REVIEW: dict[str, Any] = {
    "child_ref": "OLD-1",
    "first_name": "Amara",
    "last_name": "Okafor",
    "date_of_birth": "2015-03-14",
    "upn": "B801200005001",
    "sex": "F",
    "ethnicity": "WBRI",
    "postcode": "sw1a 1aa",
    "primary_need": "ASD",
    "team": TEAM,
    "coordinator_email": COORDINATOR,
    "contact_name": "Grace Okafor",
    "contact_relationship": "Mother",
    "contact_email": "grace@example.org",
    "contact_parental_responsibility": "yes",
    "plan_issued_on": "2019-06-20",
    "plan_named_settings": "Riverside Primary",
    "plan_last_reviewed_on": "2025-05-10",
}
GOOD_ASSESSMENT: dict[str, Any] = {
    "child_ref": "OLD-2",
    "first_name": "Ben",
    "last_name": "Hughes",
    "date_of_birth": "18/07/2018",
    "sex": "M",
    "team": TEAM,
    "coordinator_email": COORDINATOR,
    "request_received_on": "2026-05-01",
    "request_source": "school",
    "decided_to_assess_on": "2026-06-20",  # after the 6 weeks (due 12 June): late
    "advice_1_type": "ep",
    "advice_1_from": "Educational Psychology Service",
    "advice_1_requested_on": "2026-06-22",
    "advice_1_received_on": "2026-08-30",  # after the 6 weeks: late
    "advice_2_type": "health",
    "advice_2_from": "Community Paediatrics",
    "advice_2_requested_on": "2026-06-22",
}


def _bad(ref: str, **changes: Any) -> dict[str, Any]:
    row = dict(GOOD_ASSESSMENT, child_ref=ref, first_name=f"Child{ref.replace('-', '')}", upn="")
    row.update(changes)
    return row


# Each bad row, and the rule it breaks.
BAD_ROWS: list[tuple[dict[str, Any], str]] = [
    (_bad("BAD-1", date_of_birth="2015-02-30"), "date_invalid"),
    (_bad("BAD-2", upn="A801200005001"), "upn_invalid"),
    (_bad("BAD-3", uln="1234567890"), "uln_invalid"),
    (_bad("BAD-4", ethnicity="XXXX"), "code_unknown"),
    (_bad("BAD-5", coordinator_email="nobody@example.org"), "coordinator_unknown"),
    (_bad("BAD-6", team="Nowhere Team"), "team_unknown"),
    (_bad("BAD-7", decided_to_assess_on="2026-04-01"), "date_order"),
    (
        _bad(
            "BAD-8",
            request_received_on="2027-01-04",
            decided_to_assess_on="",
            advice_1_type="",
            advice_1_from="",
            advice_1_requested_on="",
            advice_1_received_on="",
            advice_2_type="",
            advice_2_from="",
            advice_2_requested_on="",
        ),
        "date_future",
    ),
    (dict(GOOD_REVIEW, first_name="Again"), "duplicate_in_file"),
    (_bad("BAD-9", upn=EXISTING_UPN, first_name="Other"), "duplicate_existing"),
    (_bad("BAD-10", draft_plan_on="2026-09-01"), "sequence"),
    (_bad("BAD-11", coordinator_email=OUTSIDER), "coordinator_not_in_team"),
    (_bad("BAD-12", primary_need="ZZZ"), "code_unknown"),
    (
        _bad(
            "BAD-13",
            date_of_birth="2026-01-01",
            request_received_on="2025-12-01",
            decided_to_assess_on="",
            advice_1_type="",
            advice_1_from="",
            advice_1_requested_on="",
            advice_1_received_on="",
            advice_2_type="",
            advice_2_from="",
            advice_2_requested_on="",
        ),
        "before_birth",
    ),
    (_bad("BAD-14", first_name=""), "required"),
]


def spreadsheet(rows: list[dict[str, Any]]) -> bytes:
    from ehc_tracker.services.importing.sheet import NAMES

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(NAMES))
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in NAMES})
    return buffer.getvalue().encode()


def good_and_bad() -> bytes:
    from ehc_tracker.services.importing.sheet import COLUMNS

    example = {c.name: c.example for c in COLUMNS}
    return spreadsheet([example, GOOD_REVIEW, GOOD_ASSESSMENT] + [row for row, _ in BAD_ROWS])


SEN2_RETURN = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>SEN2</Collection><Year>2026</Year><ReferenceDate>2026-01-15</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>201</LEA><SoftwareCode>Old</SoftwareCode><Release>1</Release><SerialNo>001</SerialNo>
      <DateTime>2026-01-20T10:00:00</DateTime><DMO>Y</DMO><DCO>Y</DCO><DSCO>Y</DSCO></Source>
  </Header>
  <Persons>
    <Person>
      <Surname>Patel</Surname><Forename>Isla</Forename><PersonBirthDate>2012-02-01</PersonBirthDate><Sex>F</Sex>
      <Ethnicity>AIND</Ethnicity><PostCode>SW1A 1AA</PostCode><UPN>M201000001003</UPN>
      <Requests>
        <RequestOutcome>H</RequestOutcome>
        <Assessment><AssessmentOutcome>H</AssessmentOutcome>
          <NamedPlan><StartDate>2018-04-10</StartDate><PlanDetail><URN>100000</URN><PlacementRank>1</PlacementRank>
            <SENunitIndicator>0</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlanDetail></NamedPlan>
        </Assessment>
        <ActivePlans>
          <PlacementDetail><URN>100000</URN><PlacementRank>1</PlacementRank><EntryDate>2023-09-01</EntryDate>
            <SENunitIndicator>1</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>
          <SENneed><SENtype>SLCN</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
          <SENneed><SENtype>ASD</SENtype><SENtypeRank>2</SENtypeRank></SENneed>
          <ReviewMeeting>2025-03-01</ReviewMeeting><ReviewOutcome>M</ReviewOutcome><LastReview>2025-03-20</LastReview>
        </ActivePlans>
      </Requests>
    </Person>
    <Person>
      <Surname>Khan</Surname><Forename>Zara</Forename><PersonBirthDate>2016-09-09</PersonBirthDate><Sex>F</Sex>
      <Ethnicity>APKN</Ethnicity><PostCode>SW1A 2AA</PostCode><UPNunknown>UN2</UPNunknown>
      <Requests>
        <ReceivedDate>2025-02-03</ReceivedDate><RequestSource>2</RequestSource><RequestOutcomeDate>2025-03-10</RequestOutcomeDate>
        <RequestOutcome>Y</RequestOutcome>
        <Assessment><AssessmentOutcome>Y</AssessmentOutcome><AssessmentOutcomeDate>2025-05-01</AssessmentOutcomeDate>
          <NamedPlan><StartDate>2025-07-30</StartDate><PlanDetail><SENSetting>EHE</SENSetting><PlacementRank>1</PlacementRank>
            <SENunitIndicator>0</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlanDetail></NamedPlan>
        </Assessment>
        <ActivePlans>
          <PlacementDetail><SENSetting>EHE</SENSetting><PlacementRank>1</PlacementRank><EntryDate>2025-07-30</EntryDate>
            <SENunitIndicator>0</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>
          <SENneed><SENtype>SEMH</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
        </ActivePlans>
      </Requests>
    </Person>
    <Person>
      <Surname>Evans</Surname><Forename>Kai</Forename><PersonBirthDate>2010-01-05</PersonBirthDate><Sex>M</Sex>
      <Ethnicity>WBRI</Ethnicity><PostCode>SW1A 1AA</PostCode><UPN>B801200005001</UPN>
      <Requests>
        <RequestOutcome>H</RequestOutcome>
        <Assessment><AssessmentOutcome>H</AssessmentOutcome>
          <NamedPlan><StartDate>2016-01-10</StartDate><PlanDetail><URN>100001</URN><PlacementRank>1</PlacementRank>
            <SENunitIndicator>0</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlanDetail>
            <CeaseDate>2025-08-31</CeaseDate><CeaseReason>2</CeaseReason></NamedPlan>
        </Assessment>
      </Requests>
    </Person>
    <Person>
      <Surname>Bad</Surname><Forename>Codes</Forename><PersonBirthDate>2012-13-01</PersonBirthDate><Sex>Q</Sex>
      <Ethnicity>WBRI</Ethnicity><PostCode>SW1A 1AA</PostCode><UPN>A801200005001</UPN>
      <Requests><RequestOutcome>H</RequestOutcome>
        <ActivePlans><TransferLA>999</TransferLA>
          <PlacementDetail><SENSetting>XYZ</SENSetting><PlacementRank>1</PlacementRank><EntryDate>2023-09-01</EntryDate>
            <SENunitIndicator>0</SENunitIndicator><ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>
          <SENneed><SENtype>NOPE</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
          <LastReview>2025-03-20</LastReview>
        </ActivePlans>
      </Requests>
    </Person>
  </Persons>
</Message>
"""
