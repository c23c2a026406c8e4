"""Statutory letters filled from cases built through the services: every date a letter prints is
the engine's date for that case (its stored milestones, its recorded steps, or the appeal deadline
the engine counts from the letter's date), the names are there, and the PDF opens and says the same.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date

import docx
import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.letters.context import LetterNotReady, available_kinds, build_context, date_in_words
from ehc_tracker.letters.render import PdfUnavailable, render_docx, soffice_path, to_pdf
from ehc_tracker.models.case import Case, CaseType, EventType
from ehc_tracker.services import cases as svc
from ehc_tracker.statutory import due_on
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team, create_user

COUNCIL = "Exampleshire County Council"
TODAY = date(2025, 12, 1)
REVIEW_TODAY = date(2026, 9, 1)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_IN_WORDS = re.compile(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b")


def _text(docx_bytes: bytes) -> str:
    document = docx.Document(io.BytesIO(docx_bytes))
    return "\n".join(p.text for p in document.paragraphs)


def _printed_dates(text: str) -> set[str]:
    return set(_DATE_IN_WORDS.findall(re.sub(r"\s+", " ", text)))


def _words(*days: date) -> set[str]:
    return {date_in_words(d) for d in days}


def _due(case: Case, key: str) -> date:
    return next(m.due_on for m in case.milestones if m.key == key and m.ref == "")


def _assessment() -> Case:
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team], name="Jo Coordinator", email="jo.c@example.org")
    child = create_child(team=team, first_name="Robin", last_name="Ashby", date_of_birth=date(2015, 5, 1))
    create_contact(child=child, name="Pat Ashby", address="1 High Street\nExampletown\nEX1 1AA")
    return create_assessment(received_on=date(2025, 1, 6), coordinator=coordinator, team=team, child=child)


def _letter(case: Case, key: str, **kw) -> str:
    context = build_context(case, key, council_name=COUNCIL, **kw)
    text = _text(render_docx(key, context))
    # The people: the child, the addressee, the coordinator (named, with their email) and the council.
    for name in ("Robin Ashby", "Jo Coordinator", "jo.c@example.org", COUNCIL):
        assert name in text, f"{name!r} missing from the {key} letter"
    assert "{{" not in text and "{%" not in text
    return text


def _assert_dates(text: str, *expected: date) -> None:
    """Every date the letter prints is one of the expected ones, and each expected one is printed."""
    assert _printed_dates(text) == _words(*expected)


def test_decision_to_assess_prints_the_engines_due_dates(app):
    case = _assessment()
    record = svc.record_event
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    text = _letter(case, "decision_to_assess")
    assert "Pat Ashby" in text and "Exampletown" in text
    # The engine's dates for this case, and (independently) what the rules say they are.
    not_to_issue, final = _due(case, "decision_not_to_issue"), _due(case, "final_plan")
    assert (not_to_issue, final) == (
        due_on("decision_not_to_issue", case.anchor_on),
        due_on("final_plan", case.anchor_on),
    )
    _assert_dates(text, date(2025, 2, 10), date(2025, 1, 6), date(2015, 5, 1), not_to_issue, final)


def test_decision_not_to_assess_gives_the_appeal_deadline_and_reason(app):
    case = _assessment()
    svc.record_event(
        case,
        EventType.DECIDED_NOT_TO_ASSESS,
        date(2025, 6, 30),
        actor=case.coordinator,
        today=TODAY,
        reason="The school can meet Robin's needs from its own resources.",
    )
    text = _letter(case, "decision_not_to_assess")
    assert "The school can meet Robin's needs from its own resources." in text
    appeal = due_on("appeal_deadline", date(2025, 6, 30))
    # 2 months ends on 30 August: in August, so the last day moves to the first working day after 31 August.
    assert appeal == date(2025, 9, 1)
    assert "The last day to appeal is 1 September 2025" in text
    assert "mediation adviser" in text
    _assert_dates(text, date(2025, 6, 30), date(2025, 1, 6), date(2015, 5, 1), appeal)


def test_draft_plan_gives_the_fifteen_day_deadline_and_the_right_to_ask_for_a_school(app):
    case = _assessment()
    actor, record = case.coordinator, svc.record_event
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=actor, today=TODAY)
    record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=actor, today=TODAY)
    record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=actor, today=TODAY)
    record(case, EventType.SCHOOL_CONSULTED, date(2025, 4, 8), actor=actor, today=TODAY, setting_name="Hill Primary")
    text = _letter(case, "draft_plan")
    close = _due(case, "representations_close")
    assert close == date(2025, 4, 21)  # 15 days beginning with the day served (reg 13(1))
    assert "You have until 21 April 2025" in text
    assert "ask us to name a particular school, college or other institution" in text
    assert "Hill Primary" in text
    _assert_dates(text, date(2025, 4, 7), date(2015, 5, 1), close, _due(case, "final_plan"))


def test_final_plan_names_the_setting_and_the_appeal_deadline(app):
    case = _assessment()
    carry_to_final_plan(case, actor=case.coordinator, final_on=date(2025, 5, 20))
    text = _letter(case, "final_plan")
    assert "Hill Primary" in text
    appeal = due_on("appeal_deadline", date(2025, 5, 20))
    assert appeal == date(2025, 7, 21)  # 20 July 2025 is a Sunday (HESC r.12(2))
    _assert_dates(text, date(2025, 5, 20), date(2015, 5, 1), appeal)


def test_decision_not_to_issue(app):
    case = _assessment()
    actor, record = case.coordinator, svc.record_event
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=actor, today=TODAY)
    record(case, EventType.DECIDED_NOT_TO_ISSUE, date(2025, 4, 25), actor=actor, today=TODAY, reason="Needs are met.")
    text = _letter(case, "decision_not_to_issue")
    assert "Needs are met." in text
    _assert_dates(
        text, date(2025, 4, 25), date(2025, 1, 6), date(2015, 5, 1), due_on("appeal_deadline", date(2025, 4, 25))
    )


def _review(decision: str | None = None) -> Case:
    case = _assessment()
    carry_to_final_plan(case, actor=case.coordinator)
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    actor = review.coordinator
    svc.record_event(review, EventType.REVIEW_MEETING_HELD, date(2026, 4, 20), actor=actor, today=REVIEW_TODAY)
    if decision:
        svc.record_event(
            review,
            EventType.REVIEW_DECISION_NOTIFIED,
            date(2026, 5, 11),
            actor=actor,
            today=REVIEW_TODAY,
            decision=decision,
        )
    return review


def test_review_decision_to_keep_the_plan_carries_the_right_of_appeal(app):
    review = _review("maintain")
    text = _letter(review, "review_decision")
    assert "keep the EHC plan as it is" in text
    appeal = due_on("appeal_deadline", date(2026, 5, 11))
    _assert_dates(text, date(2026, 5, 11), date(2026, 4, 20), date(2015, 5, 1), appeal)


def test_review_decision_to_amend_gives_the_amended_plan_date(app):
    review = _review("amend")
    text = _letter(review, "review_decision")
    assert "We have decided to amend the plan" in text and "appeal" not in text
    amended = _due(review, "amended_plan_due")
    assert amended == date(2026, 7, 13)
    _assert_dates(text, date(2026, 5, 11), date(2026, 4, 20), date(2015, 5, 1), amended)


def test_proposed_amendments_give_their_deadline(app):
    review = _review("amend")
    svc.record_event(
        review, EventType.AMENDMENTS_PROPOSED, date(2026, 5, 12), actor=review.coordinator, today=REVIEW_TODAY
    )
    text = _letter(review, "amendments_proposed")
    close, amended = _due(review, "amendment_representations_close"), _due(review, "amended_plan_from_proposals_due")
    assert (close, amended) == (date(2026, 5, 26), date(2026, 7, 7))
    _assert_dates(text, date(2026, 5, 12), date(2026, 4, 20), date(2015, 5, 1), close, amended)


def test_cease_notice_uses_the_appeal_deadline_the_service_stored(app):
    review = _review("cease")
    assert [k.key for k in available_kinds(review)] == ["cease_notice"]
    text = _letter(review, "cease_notice")
    appeal = review.plan.cease_appeal_ends_on
    assert appeal == due_on("appeal_deadline", date(2026, 5, 11))
    assert "keep the plan in place until the time to appeal has passed" in text
    _assert_dates(text, date(2026, 5, 11), date(2026, 4, 20), date(2015, 5, 1), appeal)


def test_transfer_in_notice_says_when_the_plan_will_be_reviewed(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team], name="Jo Coordinator", email="jo.c@example.org")
    child = create_child(team=team, first_name="Robin", last_name="Ashby", date_of_birth=date(2014, 2, 1))
    create_contact(child=child, name="Pat Ashby")
    case = svc.open_transfer_in(
        child=child,
        transferred_on=date(2025, 9, 1),
        plan_issued_on=date(2022, 3, 1),
        last_reviewed_on=date(2025, 3, 10),
        previous_authority="Elsewhere Council",
        named_settings="Hill Primary",
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=TODAY,
    )
    svc.record_event(case, EventType.TRANSFER_NOTICE_SENT, date(2025, 10, 1), actor=coordinator, today=TODAY)
    text = _letter(case, "transfer_in_notice", proposes_assessment=True)
    assert "Elsewhere Council" in text and "We propose to carry out a new EHC needs assessment" in text
    review_by = _due(case, "transfer_in_review_due")
    assert review_by == date(2026, 3, 9)
    _assert_dates(text, date(2025, 10, 1), date(2025, 9, 1), date(2014, 2, 1), review_by)


def test_a_letter_waits_for_its_step_and_for_the_councils_name(app):
    case = _assessment()
    assert available_kinds(case) == []
    with pytest.raises(LetterNotReady, match="Record ‘Decided to assess’"):
        build_context(case, "decision_to_assess", council_name=COUNCIL)
    with pytest.raises(LetterNotReady, match="not written on a case of this kind"):
        build_context(case, "transfer_in_notice", council_name=COUNCIL)
    svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    assert [k.key for k in available_kinds(case)] == ["decision_to_assess"]
    with pytest.raises(LetterNotReady, match="COUNCIL_NAME"):
        build_context(case, "decision_to_assess", council_name=" ")


def test_a_young_person_is_written_to_themselves_and_names_print_as_typed(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team], name="Jo Coordinator", email="jo.c@example.org")
    child = create_child(
        team=team,
        first_name="Sam",
        last_name="O'Neil & <Co>",
        date_of_birth=date(2006, 5, 1),
        young_person_own_requests=True,
    )
    create_contact(child=child, name="Pat O'Neil")
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=coordinator, team=team, child=child)
    svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=TODAY)
    text = _text(render_docx("decision_to_assess", build_context(case, "decision_to_assess", council_name=COUNCIL)))
    assert "Dear Sam O'Neil & <Co>" in text and "Pat O'Neil" not in text
    assert "for you on 6 January 2025" in text


def test_the_pdf_opens_and_prints_the_same_dates(app):
    if soffice_path() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing: .ci/run installs libreoffice-writer-nogui")
        pytest.skip("LibreOffice is not installed here")
    from pypdf import PdfReader

    case = _assessment()
    carry_to_final_plan(case, actor=case.coordinator, final_on=date(2025, 5, 20))
    word = render_docx("final_plan", build_context(case, "final_plan", council_name=COUNCIL))
    pdf = to_pdf(word)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert len(reader.pages) >= 1
    for words in _words(date(2025, 5, 20), due_on("appeal_deadline", date(2025, 5, 20))):
        assert words in re.sub(r"\s+", " ", text)
    assert _printed_dates(text) == _printed_dates(_text(word))
    assert "Robin Ashby" in text and "Jo Coordinator" in text


def test_without_libreoffice_the_pdf_is_refused_in_words_the_page_can_show(monkeypatch):
    import ehc_tracker.letters.render as render

    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(PdfUnavailable, match="PDF needs LibreOffice; the Word letter is available"):
        to_pdf(b"not used")
