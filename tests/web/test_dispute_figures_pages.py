"""Mediation and appeals on the dashboard, in its drill-downs, its workbook and the monthly report."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from ehc_tracker.extensions import db
from ehc_tracker.models.case import AppealType, EventType
from ehc_tracker.services import cases as svc
from tests.factories_cases import create_refused_dispute
from tests.helpers import create_team

TODAY = date(2025, 12, 1)
LETTER = date(2025, 2, 10)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("ehc_tracker.reports.routes.today", lambda: TODAY)


def _dispute(team, appeal_type=AppealType.REFUSAL_TO_ASSESS):
    return create_refused_dispute(team=team, appeal_type=appeal_type, letter_on=LETTER, today=TODAY)


def _step(dispute, event_type, on, **details):
    svc.record_event(dispute, event_type, on, actor=dispute.coordinator, today=TODAY, **details)
    db.session.commit()


@pytest.fixture
def north(app):
    team = create_team(name="North Team")
    upheld = _dispute(team)
    _step(upheld, EventType.MEDIATION_REQUESTED, date(2025, 3, 3), requested_by="parent")
    _step(upheld, EventType.MEDIATION_HELD, date(2025, 3, 31), mediation_outcome="no_agreement")
    _step(upheld, EventType.MEDIATION_CERTIFICATE_ISSUED, date(2025, 4, 2))
    _step(upheld, EventType.APPEAL_REGISTERED, date(2025, 4, 7), tribunal_reference="EH1")
    _step(upheld, EventType.HEARING_HELD, date(2025, 5, 28))
    _step(upheld, EventType.APPEAL_OUTCOME, date(2025, 6, 2), appeal_outcome="upheld", limbs=["assessment_notice"])
    conceded = _dispute(team, AppealType.DISABILITY_DISCRIMINATION)
    _step(conceded, EventType.MEDIATION_CERTIFICATE_ISSUED, date(2025, 4, 1))
    _step(conceded, EventType.APPEAL_REGISTERED, date(2025, 4, 14), tribunal_reference="EH2")
    _step(conceded, EventType.APPEAL_NOT_OPPOSED, date(2025, 5, 5), limbs=["assessment_notice"])
    return team


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _section(page):
    start = page.index("data-disputes>")
    return page[start : page.index("</section>", start)]


def test_the_dashboard_shows_mediation_and_appeals_and_every_number_lists_its_disputes(client, auth, north):
    auth.login(role="manager", teams=[north])
    section = _section(_html(client.get("/reports/dashboard")))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "Appeals registered, January 2025 to December 2025" in text
    assert "2 appeals registered" in text  # the count's link text for screen readers
    assert "Appeals upheld at a hearing 100.0%" in text
    assert "Mediation taken up 50.0%" in text
    assert "Refusal to assess" in text and "Disability discrimination" in text and "Not opposed by the council" in text
    assert "&lt;" not in section  # no markup shown as text
    links = re.findall(r'<a class="govuk-link" href="([^"]+)" data-count="(\d+)">', section)
    assert len(links) > 15
    for href, count in links:
        listed = _html(client.get(html_lib.unescape(href)))
        found = re.search(r'data-total="(\d+)"', listed)
        assert (int(found.group(1)) if found else 0) == int(count), href
    upheld = next(h for h, _ in links if "outcome=upheld_at_hearing" in h and "appeal_type" not in h)
    listed = _html(client.get(html_lib.unescape(upheld)))
    assert "Appeals decided or not opposed, January 2025 to December 2025, upheld in full or in part" in listed
    assert "What is disputed" in listed and "Refusal to assess" in listed and "Open" in listed
    # Orders complied with on time is a measure of its own among the monthly figures.
    assert 'id="dispute_duties_on_time"' in _html(client.get("/reports/dashboard"))


def test_an_empty_period_says_so_and_bad_drilldowns_are_refused(client, auth, north):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/dashboard?months=1&as_at=1&as_at=2&as_at=2025"))
    assert "No mediation or appeals were recorded from February 2025 to February 2025." in _section(page)
    base = "/reports/drilldown?measure=disputes&month=2025-04"
    assert client.get(f"{base}&figure=nonsense").status_code == 404
    assert client.get(f"{base}&figure=appeal_registered&appeal_type=nonsense").status_code == 400
    assert client.get(f"{base}&figure=appeal_decided&outcome=nonsense").status_code == 400
    assert client.get("/reports/drilldown?measure=disputes&figure=appeal_registered").status_code == 404


def test_viewers_see_the_figures_without_names(client, auth, north):
    auth.login(role="viewer", teams=[north])
    listed = _html(client.get("/reports/drilldown?measure=disputes&figure=appeal_registered&month=2025-04"))
    assert 'data-total="2"' in listed and "Children’s names are not shown" in listed


def test_the_workbook_and_the_monthly_report_carry_the_disputes(client, auth, north):
    auth.login(role="manager", teams=[north])
    book = load_workbook(io.BytesIO(client.get("/reports/dashboard/export?format=xlsx").data))
    assert {"Mediation and appeals", "Appeals by what is disputed", "Disputes summary"} <= set(book.sheetnames)
    summary = {
        row[0]: row[1]
        for row in book["Disputes summary"].iter_rows(min_row=book["Disputes summary"].max_row - 10, values_only=True)
        if row and row[0]
    }
    assert summary["Appeals registered"] == 2 and summary["% upheld at a hearing"] == 100
    assert summary["Appeals ended: not opposed by the council"] == 1
    report = _html(client.get("/reports/monthly?month=2025-06"))
    table = report[report.index("data-disputes-month") :]
    assert re.search(
        r'data-figure="appeal_decided">\s*<th[^>]*>Appeals decided or not opposed</th>\s*'
        r"<td[^>]*>1</td>\s*<td[^>]*>1</td>",
        table,
    )
    assert "mediation taken up by 0 of 0" not in report and "no family went to a mediation adviser" in report
