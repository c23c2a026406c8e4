"""The report pages: overdue list, dashboard and drill-downs, targets, monthly report, exports."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, ComplianceTarget
from ehc_tracker.models.case import AdviceType, CaseStatus, CaseType
from tests.factories_reports import add_advice, add_milestone, make_case
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("ehc_tracker.reports.routes.today", lambda: AS_AT)


@pytest.fixture
def north(app):
    return create_team(name="North Team")


@pytest.fixture
def south(app):
    return create_team(name="South Team")


@pytest.fixture
def data(north, south):
    """A small service: two coordinators in North, one case in South."""
    casey = create_user(role="coordinator", teams=[north], name="Casey Coordinator")
    jordan = create_user(role="coordinator", teams=[north], name="Jordan Coordinator")
    sam = create_user(role="coordinator", teams=[south], name="Sam Coordinator")
    amara = make_case(
        team=north,
        coordinator=casey,
        first_name="Amara",
        last_name="Okafor",
        anchor_on=date(2024, 10, 1),
        setting_name="Hill Primary",
    )
    add_milestone(amara, "decision_to_assess", due_on=date(2024, 11, 12), met_on=date(2024, 11, 12))
    add_milestone(amara, "final_plan", due_on=date(2025, 2, 18))  # overdue
    add_advice(
        amara,
        advice_type=AdviceType.EP,
        provider="EP Service",
        requested_on=date(2025, 1, 6),
        due_on=date(2025, 2, 17),
        received_on=date(2025, 2, 17),
    )
    add_advice(
        amara,
        advice_type=AdviceType.HEALTH,
        provider="Paediatrics",
        requested_on=date(2025, 1, 6),
        due_on=date(2025, 2, 17),
        received_on=date(2025, 2, 21),
    )
    ben = make_case(team=north, coordinator=jordan, first_name="Ben", last_name="Bennett", anchor_on=date(2024, 9, 2))
    add_milestone(ben, "final_plan", due_on=date(2025, 1, 20), met_on=date(2025, 1, 20), exception=False)
    add_milestone(
        make_case(
            team=north,
            coordinator=jordan,
            first_name="Chloe",
            last_name="Clarke",
            anchor_on=date(2024, 9, 9),
            status=CaseStatus.COMPLETED,
            closed_on=date(2025, 2, 3),
        ),
        "final_plan",
        due_on=date(2025, 1, 27),
        met_on=date(2025, 2, 3),
        exception=True,
    )
    review = make_case(
        team=north,
        coordinator=casey,
        case_type=CaseType.ANNUAL_REVIEW,
        first_name="Dev",
        last_name="Davies",
        anchor_on=date(2024, 2, 1),
    )
    add_milestone(review, "review_due", due_on=date(2025, 1, 31))  # overdue: no review in 12 months
    add_milestone(review, "review_decision_due", due_on=date(2025, 2, 10), met_on=date(2025, 2, 12))
    add_milestone(review, "response_due", ref="communication:1", due_on=date(2025, 3, 20))  # due soon
    add_milestone(review, "response_due", ref="communication:2", due_on=date(2025, 3, 3), met_on=date(2025, 3, 3))
    south_case = make_case(
        team=south, coordinator=sam, first_name="Southey", last_name="Person", anchor_on=date(2024, 9, 1)
    )
    add_milestone(south_case, "final_plan", due_on=date(2025, 1, 19))
    add_milestone(south_case, "decision_to_assess", due_on=date(2025, 2, 3), met_on=date(2025, 2, 4))
    db.session.commit()
    return {"casey": casey, "jordan": jordan, "sam": sam, "amara": amara, "review": review, "south_case": south_case}


def _html(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _rows(page: str) -> int:
    return len(re.findall(r'<tr class="govuk-table__row" data-row=', page))


def _total(page: str) -> int:
    found = re.search(r'data-total="(\d+)"', page)
    return int(found.group(1)) if found else 0


# --- The dashboard and its drill-downs -----------------------------------------------------------


def test_every_number_on_the_dashboard_equals_the_length_of_its_list(client, auth, north, data):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/dashboard?months=3"))
    links = re.findall(r'<a class="govuk-link" href="([^"]+)" data-count="(\d+)">', page)
    # Months with nothing counted say so in words rather than as links to empty lists; the
    # headline's counts (the 20-week plans this month, over 12 months and this year) link too.
    assert len(links) > 35
    # (Over 12 months and this year: one plan without an exception, Ben's; none yet this month.)
    assert sum("from_month=" in href and "measure=final_plan_20_weeks" in href for href, _ in links) == 4
    nonzero = 0
    for href, count in links:
        listed = _html(client.get(html_lib.unescape(href)))
        assert _total(listed) == int(count), href
        assert _rows(listed) == min(int(count), 50), href
        nonzero += int(count) > 0
    assert nonzero >= 15
    # Spot checks against the data: February's plans issued (one, with an exception) and the open work.
    assert re.search(
        r'measure=final_plan_20_weeks&amp;month=2025-02&amp;outcome=all&amp;exceptions=include[^"]*" data-count="1"',
        page,
    )
    assert re.search(
        r'measure=final_plan_20_weeks&amp;month=2025-02&amp;outcome=all&amp;exceptions=exclude[^"]*" data-count="0"',
        page,
    )
    assert re.search(r'measure=backlog[^"]*" data-count="2"', page)  # Amara (received 1 Oct) and Ben (2 Sep)
    assert re.search(r'measure=no_review[^"]*" data-count="1"', page)
    assert 'data-weeks="27"' in page  # Ben: 2 September 2024 to 15 March 2025 is 194 days, 27 whole weeks


def test_dashboard_shows_charts_tables_targets_and_definitions(client, auth, north, data):
    manager = auth.login(role="manager", teams=[north])
    db.session.add(
        ComplianceTarget(
            measure="final_plan_20_weeks",
            month_on=date(2025, 2, 1),
            target_percent=60,
            national_average_percent=46.4,
            set_by_id=manager.id,
        )
    )
    db.session.add(
        ComplianceTarget(
            measure="final_plan_20_weeks", month_on=date(2025, 3, 1), target_percent=65, set_by_id=manager.id
        )
    )
    db.session.commit()
    page = _html(client.get("/reports/dashboard"))
    assert "<title>Compliance dashboard" in page
    assert page.count('role="img"') == 7  # a chart per measure
    chart = re.search(r'<figure[^>]*data-chart="final_plan_20_weeks".*?</figure>', page, re.S).group(0)
    assert 'data-line="Target"' in chart and 'data-line="National average"' in chart
    assert '<title id="chart-final_plan_20_weeks-title">' in chart and "Target 65%" in chart
    assert 'data-line="Target"' not in re.search(r'data-chart="decision_6_weeks".*?</figure>', page, re.S).group(0)
    assert "How this is counted" in page and "regulation 13(3)" in page and "&lt;p" not in page
    assert 'scope="col"' in page and "<caption" in page
    assert "Advice by type" in page and "Educational psychologist" in page and "Paediatrics" in page
    assert "Casey Coordinator" in page  # caseload by coordinator
    # 12 months by default, more on request, and the team filter.
    assert page.count('data-measure="decision_6_weeks"') == 1
    months = re.search(r'<table[^>]*data-measure="decision_6_weeks".*?</table>', page, re.S).group(0)
    assert months.count('scope="row"') == 12 and "April 2024" in months and "March 2025" in months
    page = _html(client.get("/reports/dashboard?months=24"))
    months = re.search(r'<table[^>]*data-measure="decision_6_weeks".*?</table>', page, re.S).group(0)
    assert months.count('scope="row"') == 24
    page = _html(client.get("/reports/dashboard?months=0"))
    assert "Number of months must be between 1 and 60" in page


def test_dashboard_team_filter_and_as_at(client, auth, north, south, data):
    auth.login(role="manager", teams=[north, south])
    both = _html(client.get("/reports/dashboard"))
    north_only = _html(client.get(f"/reports/dashboard?team_id={north.id}"))
    assert re.search(r'measure=decision_6_weeks&amp;month=2025-02&amp;outcome=all[^"]*" data-count="1"', both)
    assert not re.search(
        r"measure=decision_6_weeks&amp;month=2025-02&amp;outcome=all", north_only
    )  # none: said in words
    north_table = re.search(r'<table[^>]*data-measure="decision_6_weeks".*?</table>', north_only, re.S).group(0)
    assert "No decisions whether to assess were made in February 2025" in north_table
    earlier = _html(client.get("/reports/dashboard?as_at=1&as_at=2&as_at=2025"))
    assert "February 2025" in earlier and "March 2025" not in re.search(
        r'<table[^>]*data-measure="decision_6_weeks".*?</table>', earlier, re.S
    ).group(0)


def test_drilldowns_show_names_to_managers_and_are_audited(client, auth, north, data):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/drilldown?measure=advice_6_weeks&month=2025-02&outcome=late&as_at=2025-03-15"))
    assert "Amara Okafor" in page and _total(page) == 1 and "4 days late" in page
    assert f'href="/cases/{data["amara"].id}"' in page
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report_viewed")).one()
    assert entry.details["measure"] == "advice_6_weeks" and entry.details["outcome"] == "late"
    assert client.get("/reports/drilldown?measure=nonsense").status_code == 404
    assert client.get("/reports/drilldown?measure=final_plan_20_weeks").status_code == 404
    assert client.get("/reports/drilldown?measure=final_plan_20_weeks&month=2025-99").status_code == 400
    assert client.get("/reports/drilldown?measure=final_plan_20_weeks&month=2025-02&as_at=soon").status_code == 400
    # Another team's number cannot be listed by asking for its team.
    other = _html(
        client.get(
            f"/reports/drilldown?measure=decision_6_weeks&month=2025-02&team_id={data['south_case'].team_id}&as_at=2025-03-15"
        )
    )
    assert "Southey" not in other and "Nothing to show" in other


# --- Viewers ------------------------------------------------------------------------------------


def test_viewers_see_figures_and_lists_but_never_a_childs_name(client, auth, north, data):
    auth.login(role="viewer", teams=[north])
    names = ("Amara", "Okafor", "Ben Bennett", "Dev Davies", "Hill Primary")
    pages = [
        _html(client.get("/reports/dashboard")),
        _html(client.get("/reports/monthly")),
        _html(client.get("/reports/overdue")),
    ]
    links = re.findall(r'<a class="govuk-link" href="([^"]+)" data-count="[1-9]\d*">', pages[0])
    assert links
    pages += [_html(client.get(html_lib.unescape(href))) for href in links]
    for page in pages:
        for name in names:
            assert name not in page
    overdue = pages[2]
    assert f"Case {data['amara'].id}" in overdue and "North Team" in overdue
    assert "/cases/" not in overdue and "sort=child" not in overdue
    assert "My overdue<" not in overdue
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/reports/overdue/export?format={fmt}")
        assert response.status_code == 200
        body = response.data if fmt == "csv" else _xlsx_text(response.data).encode()
        for name in names:
            assert name.encode() not in body
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report_viewed")).all()
    assert client.get("/reports/targets").status_code == 403
    assert "Overdue</a>" not in pages[0].split("</header>")[0] and "Dashboard" in pages[0].split("</header>")[0]


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        ",".join("" if c is None else str(c) for c in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


# --- Access -------------------------------------------------------------------------------------


REPORT_URLS = [
    "/reports/overdue",
    "/reports/overdue/export?format=csv",
    "/reports/overdue/export?format=xlsx",
    "/reports/dashboard",
    "/reports/dashboard/export?format=csv",
    "/reports/dashboard/export?format=xlsx",
    "/reports/drilldown?measure=backlog",
    "/reports/targets",
    "/reports/monthly",
]


def test_administrators_get_403_everywhere(client, auth, north):
    auth.login(role="admin", teams=[north])
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url
    assert client.post("/reports/targets", data={}).status_code == 403


def test_coordinators_get_the_overdue_list_only(client, auth, north):
    auth.login(role="coordinator", teams=[north])
    for url in REPORT_URLS:
        expected = 200 if url.startswith("/reports/overdue") else 403
        assert client.get(url).status_code == expected, url


def test_coordinators_see_their_own_cases_first_and_never_another_teams(client, auth, north, data):
    client.post("/sign-out")
    auth.login(data["casey"])
    page = _html(client.get("/reports/overdue"))
    assert "My cases" in page and "Amara Okafor" in page and "Dev Davies" in page
    assert re.search(r'coordinator_id=mine" aria-current="page">My overdue<', page)
    assert "Ben Bennett" not in page  # Jordan's case (nothing overdue on it, but not mine anyway)
    assert "Southey" not in page
    teams = _html(client.get("/reports/overdue?coordinator_id=&show=overdue"))
    assert "My teams" in teams and "Southey" not in teams and _total(teams) == 2
    # Asking for another team, or another team's coordinator, shows nothing of theirs.
    assert "Southey" not in _html(client.get(f"/reports/overdue?team_id={data['south_case'].team_id}&coordinator_id="))
    refused = _html(client.get(f"/reports/overdue?coordinator_id={data['sam'].id}"))
    assert "Not a valid choice" in refused and "Southey" not in refused
    mine = list(csv.reader(io.StringIO(client.get("/reports/overdue/export?format=csv").data.decode("utf-8-sig"))))
    assert len(mine) == 1 + 3 and {r[1] for r in mine[1:]} == {
        "Amara Okafor",
        "Dev Davies",
    }  # "My cases", as on the page
    filtered = list(
        csv.reader(
            io.StringIO(
                client.get("/reports/overdue/export?format=csv&milestone_key=review_due").data.decode("utf-8-sig")
            )
        )
    )
    assert [r[1] for r in filtered[1:]] == ["Dev Davies"]
    for fmt in ("csv", "xlsx"):
        body = client.get(
            f"/reports/overdue/export?format={fmt}&coordinator_id=&team_id={data['south_case'].team_id}"
        ).data
        text = body.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(body)
        assert "Southey" not in text and "Amara" not in text  # another team asked for: nothing, not everything


# --- The overdue list ---------------------------------------------------------------------------


def test_overdue_list_filters_sorts_and_links(client, auth, north, data):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/overdue"))
    assert "<title>Overdue and due soon: My teams" in page
    assert re.search(r'coordinator_id=" aria-current="page">My teams’ overdue<', page)
    assert _total(page) == 3  # Amara's final plan, Dev's review (overdue) and Dev's response (due in 5 days)
    assert page.index("Dev Davies") < page.index("Amara Okafor")  # review due 31 Jan is the most overdue
    assert "43 days overdue" in page and "Due in 5 days" in page
    assert 'aria-sort="descending"' in page and 'scope="col"' in page
    assert f'href="/cases/{data["amara"].id}"' in page
    by_child = _html(client.get("/reports/overdue?sort=child&dir=desc"))
    assert by_child.index("Amara Okafor") < by_child.index("Dev Davies")  # Okafor before Davies
    assert re.search(r'aria-sort="descending">\s*<a class="govuk-link" href="[^"]*sort=child&amp;dir=asc', by_child)
    assert _total(_html(client.get("/reports/overdue?show=overdue"))) == 2
    assert _total(_html(client.get("/reports/overdue?show=due_soon&within=4"))) == 0
    assert _total(_html(client.get("/reports/overdue?within=5"))) == 3
    assert _total(_html(client.get("/reports/overdue?milestone_key=final_plan"))) == 1
    assert _total(_html(client.get("/reports/overdue?case_type=annual_review"))) == 2
    assert _total(_html(client.get("/reports/overdue?setting=hill"))) == 1
    assert _total(_html(client.get(f"/reports/overdue?coordinator_id={data['jordan'].id}"))) == 0
    assert (
        _total(_html(client.get("/reports/overdue?as_at=1&as_at=2&as_at=2025&show=overdue"))) == 1
    )  # only the review was overdue then
    empty = _html(client.get("/reports/overdue?show=overdue&milestone_key=invitations_by"))
    assert "Nothing is overdue" in empty
    error = _html(client.get("/reports/overdue?within=soon&as_at=31&as_at=2&as_at=2025"))
    assert "There is a problem" in error and "must be a whole number" in error and "must be a real date" in error
    assert 'value="soon"' in error and _total(error) == 3  # the typing is kept; the defaults apply meanwhile


def test_overdue_list_pages_and_exports_every_row(client, auth, north):
    manager = auth.login(role="manager", teams=[north])
    for n in range(55):
        add_milestone(
            make_case(team=north, coordinator=manager, first_name=f"Kid{n:02d}", last_name="Test"),
            "final_plan",
            due_on=AS_AT - timedelta(days=n + 1),
        )
    db.session.commit()
    first = _html(client.get("/reports/overdue?show=overdue"))
    assert _rows(first) == 50 and _total(first) == 55 and "Showing 1 to 50 of 55" in first
    second = _html(client.get("/reports/overdue?show=overdue&page=2"))
    assert _rows(second) == 5 and "Kid00 Test" in second  # the least overdue is last

    response = client.get("/reports/overdue/export?format=csv&show=overdue")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="overdue-2025-03-15.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 56 and rows[0][:2] == ["Case number", "Child"] and rows[1][1] == "Kid54 Test"
    response = client.get("/reports/overdue/export?format=xlsx&show=overdue&sort=child&dir=asc")
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="overdue-2025-03-15.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    header = int(sheet.freeze_panes[1:]) - 1  # the heading row sits under the export's description
    assert values[header - 1][0] == "Case number" and len(values) == header + 55 and values[header][1] == "Kid00 Test"
    assert client.get("/reports/overdue/export?format=pdf").status_code == 400
    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_downloaded")).all()
    assert (
        len(entries) == 2
        and entries[0].details["filters"]["show"] == "overdue"
        and entries[0].details["child_names"] is True
    )


def test_dashboard_exports(client, auth, north, data):
    auth.login(role="manager", teams=[north])
    response = client.get("/reports/dashboard/export?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="compliance-2024-04-to-2025-03.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 12 * 7
    feb = next(r for r in rows if r["Measure key"] == "advice_6_weeks" and r["Month"] == "2025-02")
    assert (feb["Counted"], feb["On time"], feb["Late"], feb["% on time"]) == ("2", "1", "1", "50.0")
    response = client.get("/reports/dashboard/export?format=xlsx&months=3")
    assert response.headers["Content-Disposition"] == 'attachment; filename="compliance-2025-01-to-2025-03.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:3] == ["Monthly figures", "Advice by type", "Advice by provider"]
    sheet = book["Monthly figures"]
    assert (
        sheet.max_row == int(sheet.freeze_panes[1:]) - 1 + 3 * 7
    )  # the description, the heading row, 3 months of 7 measures
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_downloaded")).all()


# The year's grid of targets is tested in tests/web/test_targets_grid.py.


# --- The monthly report -------------------------------------------------------------------------


def test_monthly_report_prints_the_month_against_target_and_last_month(client, auth, north, data):
    manager = auth.login(role="manager", teams=[north])
    db.session.add(
        ComplianceTarget(measure="advice_6_weeks", month_on=date(2025, 2, 1), target_percent=80, set_by_id=manager.id)
    )
    db.session.commit()
    page = _html(client.get("/reports/monthly"))  # defaults to the last complete month
    assert "Monthly performance report: February 2025" in page
    row = re.search(r'<tr class="govuk-table__row" data-measure="advice_6_weeks">.*?</tr>', page, re.S).group(0)
    assert "50.0%" in row and "(1 of 2)" in row and "80%" in row and "below target" in row
    assert "Open work at 15 March 2025" in page and "app-no-print" in page
    assert "Open assessments past 20 weeks" in page
    assert '<link rel="stylesheet" media="print" href="/reports/monthly/print.css">' in page
    css = client.get("/reports/monthly/print.css")
    assert css.headers["Content-Type"] == "text/css; charset=utf-8" and b"@media print" in css.data
    assert "20-week plans*" in page and "Including them: 0.0% (0 of 1) in February 2025" in page
    march = _html(client.get("/reports/monthly?month=2025-03"))
    assert "is not over yet" in march and "February 2025" in march


# --- Navigation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "overdue", "dashboard"),
    [("coordinator", True, False), ("manager", True, True), ("viewer", False, True), ("admin", False, False)],
)
def test_navigation(client, auth, north, role, overdue, dashboard):
    auth.login(role=role, teams=[north])
    header = client.get("/").get_data(as_text=True).split("</header>")[0]
    assert ('href="/reports/overdue"' in header) is overdue
    assert ('href="/reports/dashboard"' in header) is dashboard
