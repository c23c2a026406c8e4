"""The layout of the manager's report screens: the overdue list comes first with its filters
folded away behind "Filter" (open only when filters are applied, with a one-line summary and a
way to clear them); the dashboard opens on the 20-week headline (this month, rolling 12 months,
year to date, each against the target and the national average); months with nothing to count
say so in words."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ehc_tracker.extensions import db
from ehc_tracker.models import ComplianceTarget
from ehc_tracker.models.case import CaseStatus
from tests.factories_reports import add_milestone, make_case
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("ehc_tracker.reports.routes.today", lambda: AS_AT)


@pytest.fixture
def north(app):
    return create_team(name="North Team")


@pytest.fixture
def plans(north):
    """Plans issued: October 2024 late; January 2025 on time; February 2025 one on time, one late
    and one with an exception; nothing in March 2025 (to the 15th). Two steps overdue."""
    casey = create_user(role="coordinator", teams=[north], name="Casey Coordinator")
    issued = [
        (date(2024, 10, 7), date(2024, 10, 10), False),
        (date(2025, 1, 20), date(2025, 1, 20), False),
        (date(2025, 2, 3), date(2025, 2, 3), False),
        (date(2025, 2, 10), date(2025, 2, 24), False),
        (date(2025, 2, 12), date(2025, 2, 20), True),
    ]
    for n, (due_on, met_on, exception) in enumerate(issued):
        case = make_case(
            team=north,
            coordinator=casey,
            first_name=f"Issued{n}",
            last_name="Child",
            status=CaseStatus.COMPLETED,
            closed_on=met_on,
        )
        add_milestone(case, "final_plan", due_on=due_on, met_on=met_on, exception=exception)
    open_case = make_case(team=north, coordinator=casey, first_name="Amara", last_name="Okafor")
    add_milestone(open_case, "final_plan", due_on=date(2025, 2, 18))
    add_milestone(open_case, "decision_to_assess", due_on=date(2025, 3, 1))
    db.session.commit()
    return {"casey": casey}


def _html(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _details(page: str) -> str:
    return re.search(r"<details[^>]*data-module=\"govuk-details\"[^>]*>", page).group(0)


def _summary(page: str) -> str:
    text = re.search(r"<p[^>]*data-filter-summary>(.*?)</p>", page, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def _stops_before_first_row(page: str) -> int:
    """Links and form controls a keyboard reaches, in the page's main content, before the first
    row of the list; controls inside a closed details element are not reachable."""
    main = page[page.index("<main") :]
    main = main[: main.index('data-row="milestone"')]
    main = re.sub(
        r"<details(?![^>]* open)[^>]*>.*?<summary.*?</summary>.*?</details>", "<summary></summary>", main, flags=re.S
    )
    return len(re.findall(r"<(a|input|select|button|summary)\b(?![^>]*type=\"hidden\")", main))


# --- The overdue list ----------------------------------------------------------------------------


def test_the_overdue_list_comes_first_and_its_filters_fold_away(client, auth, north, plans):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/overdue"))
    assert " open" not in _details(page)
    assert _summary(page) == "No filters applied."
    # Every filter is inside the folded panel, and the list follows it directly.
    details = re.search(r"<details.*?</details>", page, re.S).group(0)
    for name in (
        "coordinator_id",
        "team_id",
        "show",
        "within",
        "case_type",
        "milestone_key",
        "primary_need",
        "setting",
        "as_at",
    ):
        assert f'name="{name}"' in details, name
    assert page.index("</details>") < page.index('data-row="milestone"')
    # Two quick views, the "Filter" control and the three sorting headings: six stops before the
    # first row (with the panel open it was about 20).
    assert _stops_before_first_row(page) == 6
    # The downloads and the explanation come after the list.
    assert page.index('data-row="milestone"') < page.index("/reports/overdue/export?format=csv") < page.index("</main>")


def test_applied_filters_open_the_panel_with_a_summary_and_a_clear_link(client, auth, north, plans):
    auth.login(role="manager", teams=[north])
    page = _html(
        client.get(
            "/reports/overdue?milestone_key=final_plan&case_type=assessment&within=5&setting=hill&as_at=14&as_at=3&as_at=2025"
        )
    )
    assert " open" in _details(page)
    assert _summary(page) == (
        "Filters applied: Due soon means due within: 5 days; Case type: EHC needs assessment; Step: Issue final EHC plan; "
        "Setting name contains: “hill”; As at: 14 March 2025. Clear filters"
    )
    assert re.search(r'<a class="govuk-link[^"]*" href="/reports/overdue" data-clear-filters>Clear filters</a>', page)
    # A refused filter opens the panel too, so the error is next to its box.
    refused = _html(client.get("/reports/overdue?within=soon"))
    assert " open" in _details(refused) and "must be a whole number" in refused


def test_a_quick_view_is_summarised_but_keeps_the_panel_folded(client, auth, north, plans):
    auth.login(role="manager", teams=[north])
    mine = _html(client.get("/reports/overdue?coordinator_id=mine"))
    assert " open" not in _details(mine)
    assert _summary(mine) == "Filters applied: Coordinator: My cases. Clear filters"
    # Another coordinator's cases is a filter: the panel opens.
    theirs = _html(client.get(f"/reports/overdue?coordinator_id={plans['casey'].id}"))
    assert " open" in _details(theirs) and "Coordinator: Casey Coordinator" in _summary(theirs)
    # A coordinator's own list is the default view, not a filter.
    client.post("/sign-out")
    auth.login(plans["casey"])
    own = _html(client.get("/reports/overdue"))
    assert _summary(own) == "No filters applied." and " open" not in _details(own)


# --- The dashboard -------------------------------------------------------------------------------


def _card(page: str, key: str) -> str:
    html = re.search(
        rf'<div class="govuk-summary-card[^"]*" data-headline="{key}">.*?</div>\s*</div>\s*</div>', page, re.S
    ).group(0)
    html = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", html)  # as seen on the screen
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_dashboard_opens_on_the_headline_against_target_and_national_average(client, auth, north, plans):
    manager = auth.login(role="manager", teams=[north])
    db.session.add(
        ComplianceTarget(
            measure="final_plan_20_weeks", month_on=date(2025, 3, 1), target_percent=65, set_by_id=manager.id
        )
    )
    db.session.commit()
    page = _html(client.get("/reports/dashboard"))
    # The headline comes before everything else in the main content but the folded filters.
    head = page.index("data-headline-section")
    assert page.index("</details>") < head < page.index("Open work at") < page.index("Compliance by month")
    assert " open" not in _details(page) and _summary(page) == "No filters applied."
    references = re.sub(r"\s+", " ", re.search(r"<p[^>]*data-headline-references>(.*?)</p>", page, re.S).group(1))
    assert "Target 65% (set for March 2025)." in references
    assert (
        "National average 46.4% (England, 2024; source: Department for Education, Education, health and care plans, reporting year 2025)."
        in references
    )

    month = _card(page, "month")
    assert (
        "This month" in month
        and "1 to 15 March 2025" in month
        and "No new plans were issued in March 2025 so far." in month
    )
    assert "%" not in month  # no 0% for a month with nothing issued
    rolling = _card(page, "rolling")  # October to February: 2 of 4 without an exception
    assert (
        "1 April 2024 to 15 March 2025" in rolling and "50.0% on time" in rolling and "2 of 4 plans issued" in rolling
    )
    assert "15.0 points below target" in rolling and "3.6 points above the national average" in rolling
    year = _card(page, "year")  # January and February: 2 of 3
    assert "1 January to 15 March 2025" in year and "66.7% on time" in year and "2 of 3 plans issued" in year
    assert "1.7 points above target" in year and "20.3 points above the national average" in year


def test_a_national_average_entered_by_a_manager_replaces_the_published_one(client, auth, north, plans):
    manager = auth.login(role="manager", teams=[north])
    db.session.add(
        ComplianceTarget(
            measure="final_plan_20_weeks",
            month_on=date(2025, 1, 1),
            target_percent=60,
            national_average_percent=50.3,
            set_by_id=manager.id,
        )
    )
    db.session.commit()
    page = _html(client.get("/reports/dashboard"))
    references = re.sub(r"\s+", " ", re.search(r"<p[^>]*data-headline-references>(.*?)</p>", page, re.S).group(1))
    assert "Target 60% (set for January 2025)." in references
    assert "National average 50.3% (entered for January 2025; source: the targets page)." in references
    assert "0.3 points below the national average" in _card(page, "rolling")


def test_dashboard_filters_fold_away_and_open_when_applied(client, auth, north, plans):
    auth.login(role="manager", teams=[north])
    page = _html(client.get(f"/reports/dashboard?months=6&team_id={north.id}"))
    assert " open" in _details(page)
    assert (
        _summary(page)
        == "Filters applied: Team: North Team; Months: 6 months, October 2024 to March 2025. Clear filters"
    )
    assert '<a class="govuk-link govuk-!-margin-left-1" href="/reports/dashboard" data-clear-filters>' in page
    details = re.search(r"<details.*?</details>", page, re.S).group(0)
    assert 'name="team_id"' in details and 'name="months"' in details and 'name="as_at"' in details


def test_months_with_nothing_counted_are_explained_in_words(client, auth, north, plans):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/dashboard"))
    table = re.search(r'<table[^>]*data-measure="final_plan_20_weeks".*?</table>', page, re.S).group(0)
    june = re.search(r"<tr[^>]*>\s*<th[^>]*>June 2024.*?</tr>", table, re.S).group(0)
    assert "data-empty-month" in june and "No new plans were issued in June 2024" in june and "0.0%" not in june
    march = re.search(r"<tr[^>]*>\s*<th[^>]*>March 2025.*?</tr>", table, re.S).group(0)
    assert "No new plans were issued in March 2025 so far" in march
    assert table.count("data-empty-month") == 9  # all but October, January and February
    reviews = re.search(r'<table[^>]*data-measure="review_decision_4_weeks".*?</table>', page, re.S).group(0)
    assert "No review decisions fell due in February 2025" in reviews
    # The measure's own summary line and the chart's description say it too.
    section = re.search(r'<section[^>]*id="review_decision_4_weeks".*?</section>', page, re.S).group(0)
    assert "No review decisions fell due in February 2025." in section
    assert "March 2025 (to date): no review decisions fell due." in page
    # And the monthly report.
    monthly = _html(client.get("/reports/monthly"))
    row = re.search(
        r'<tr class="govuk-table__row" data-measure="review_decision_4_weeks">.*?</tr>', monthly, re.S
    ).group(0)
    assert "No review decisions fell due" in row and "(0 of 0)" not in row
