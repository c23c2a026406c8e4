"""Shared by the tests that walk the whole site: one record of every kind a URL can name, and the
site's routes filled in with their ids."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case, CaseEvent, CaseStatus, CaseType, Plan
from ehc_tracker.models.directory import DirectoryEntry, DirectoryKind
from ehc_tracker.services import cases as case_service
from tests.factories_cases import carry_to_final_plan, create_assessment


def one_of_everything(holder: Any, team: Any) -> dict[str, Any]:
    """A child with a plan and its open review (with a communication), and a second child's open
    assessment with a proposed exception, all held by `holder`; their ids by URL argument name."""
    # A directory entry, named by the consultation below (so it cannot be deleted).
    entry = DirectoryEntry(name="Hill Primary", name_key="hill primary", kind=DirectoryKind.SCHOOL, urn="107001")
    db.session.add(entry)
    assessment = create_assessment(team=team, coordinator=holder, received_on=date(2024, 6, 3))
    carry_to_final_plan(assessment, actor=holder, today=date(2025, 6, 1), final_on=date(2025, 5, 20))
    review = db.session.scalars(
        select(Case).where(
            Case.child_id == assessment.child_id,
            Case.case_type == CaseType.ANNUAL_REVIEW,
            Case.status == CaseStatus.OPEN,
        )
    ).one()
    comm = case_service.log_communication(
        review,
        received_on=date(2025, 6, 2),
        channel=case_service.Channel.EMAIL,
        from_name="Parent",
        summary="Any news?",
        actor=holder,
        today=date(2025, 6, 3),
    )
    pending = create_assessment(team=team, coordinator=holder, received_on=date(2025, 1, 6))
    exception = case_service.propose_exception(
        pending,
        milestone_key="final_plan",
        limb="personal_circumstances",
        starts_on=date(2025, 2, 1),
        ends_on=None,
        reason="In hospital",
        evidence=None,
        actor=holder,
        today=date(2025, 6, 3),
    )
    # A whole-authority SEN2 return that has finished (its status page and downloads).
    from ehc_tracker.models.sen2 import Sen2Export, Sen2ExportStatus

    export = Sen2Export(
        census_date=date(2025, 1, 16),
        status=Sen2ExportStatus.DONE,
        xml=b"<Message/>",
        report_csv="rule\n",
        summary={"filename": "SEN2_LA_2025.xml", "persons": 0, "rules": [["schema", "The file", 1, False]]},
        done=0,
        total=0,
    )
    db.session.add(export)
    # A document of the review, shared with the family (its download, delete and sharing pages).
    import io

    from ehc_tracker.models import DocumentKind
    from ehc_tracker.services import documents as document_service
    from tests.documents_support import PDF_BYTES

    upload = document_service.check_upload(io.BytesIO(PDF_BYTES), "report.pdf")
    document = document_service.add_document(
        review.child,
        upload,
        document_service.DocumentDetails(
            kind=DocumentKind.REVIEW_REPORT,
            title="Review report",
            dated_on=date(2025, 6, 2),
            supplied_by="School",
            share=True,
        ),
        case=review,
        actor=holder,
        now=datetime.now(UTC),
        today=date(2025, 6, 3),
    )
    upload.close()
    db.session.commit()
    contact = assessment.child.contacts[0] if assessment.child.contacts else None
    return {
        "child_id": assessment.child_id,
        "case_id": review.id,
        "communication_id": comm.id,
        "exception_id": exception.id,
        "plan_id": db.session.scalars(select(Plan.id).where(Plan.child_id == assessment.child_id)).first(),
        "contact_id": contact.id if contact else None,
        "event_type": "review_meeting_scheduled",
        # The reply owed to the communication: overdue (so the family can be told a new date).
        "milestone_id": next(m.id for m in review.milestones if m.ref == f"communication:{comm.id}"),
        "entry_id": entry.id,
        "export_id": export.id,
        "document_id": document.id,
        # A letter kind (the letter pages and the administrator's template pages).
        "kind": "draft_plan",
        "_assessment": assessment,
        "_review": review,
        "_event": db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == assessment.id)).first(),
    }


def site_urls(app: Any, values: dict[str, Any], *, method: str, skip: tuple[str, ...] = ()) -> list[str]:
    """Every route answering `method` whose URL arguments all have a value, filled in (sorted)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.rule.startswith(("/api/", "/static", "/assets", *skip)):
            continue
        url = rule.rule
        for argument in rule.arguments:
            value = values.get(argument)
            if value is None:
                break
            url = re.sub(r"<[^>]*\b" + argument + ">", str(value), url)
        else:
            urls.append(url)
    return sorted(urls)
