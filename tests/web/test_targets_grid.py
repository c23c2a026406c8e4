"""Targets as one grid per measure for a whole year: twelve months in one form, each cell checked
on its own with what was typed kept, "copy last year's targets" filling the grid for review, and
every change (and only a change) audited."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, ComplianceTarget
from ehc_tracker.services import Forbidden, ServiceError
from ehc_tracker.services import reports as oversight
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)
URL = "/reports/targets?measure=final_plan_20_weeks&year=2025"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("ehc_tracker.reports.routes.today", lambda: AS_AT)


@pytest.fixture
def north(app):
    return create_team(name="North Team")


def _html(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _grid(**cells: str) -> dict[str, str]:
    """A whole grid as posted: every box, blank unless given."""
    data = {f"{kind}_{n:02d}": "" for kind in ("target", "national") for n in range(1, 13)}
    data.update(cells)
    return data


def _saved(measure: str = "final_plan_20_weeks") -> dict[date, ComplianceTarget]:
    db.session.expire_all()  # read what the requests wrote, not what this session remembers
    return {
        t.month_on: t for t in db.session.scalars(select(ComplianceTarget).where(ComplianceTarget.measure == measure))
    }


def _audits(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_one_form_holds_the_twelve_months_of_a_year(client, auth, north):
    auth.login(role="manager", teams=[north])
    page = _html(client.get("/reports/targets"))
    assert "Compliance targets for 2025" in page and "No targets have been set yet" in page
    form = re.search(r"<form method=\"post\"[^>]*data-target-grid.*?</form>", page, re.S).group(0)
    assert form.count('data-month="2025-') == 12
    assert len(re.findall(r'name="target_\d\d"', form)) == 12 and len(re.findall(r'name="national_\d\d"', form)) == 12
    # Every box has its own label (shown to screen readers), naming the month and year.
    assert (
        '<label class="govuk-label govuk-visually-hidden" for="target_01">' in form
        and "Target for January 2025" in form
    )
    assert "National average for December 2025" in form
    assert "Save targets for 2025" in form
    # No targets last year: nothing to copy, so no button.
    assert "Copy 2024" not in page


def test_each_cell_is_checked_on_its_own_and_the_typing_is_kept(client, auth, north):
    auth.login(role="manager", teams=[north])
    page = _html(
        client.post(
            URL,
            data=_grid(
                target_01="150", national_02="abc", target_02="50", national_03="40", target_04="65%", target_05="-1"
            ),
        )
    )
    assert "There is a problem" in page
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', page, re.S).group(0)
    assert 'href="#target_01"' in summary and "The target for January must be between 0 and 100" in summary
    assert 'href="#national_02"' in summary and "National average for February must be a number" in summary
    assert 'href="#target_03"' in summary and "Enter the target for March, or clear its national average" in summary
    assert 'href="#target_05"' in summary and "The target for May must be between 0 and 100" in summary
    assert 'href="#target_04"' not in summary  # "65%" is a fine way to write 65
    # The error shows against its own box, and what was typed stays in every box.
    row = re.search(r'<tr class="govuk-table__row" data-month="2025-01">.*?</tr>', page, re.S).group(0)
    assert "govuk-input--error" in row and "govuk-error-message" in row
    assert "govuk-error-message" not in re.search(
        r'<tr class="govuk-table__row" data-month="2025-06">.*?</tr>', page, re.S
    ).group(0)
    typed = {
        "target_01": "150",
        "national_02": "abc",
        "target_02": "50",
        "national_03": "40",
        "target_04": "65%",
        "target_05": "-1",
        "target_06": "",
    }
    for name, value in typed.items():
        assert _value(page, name) == value, name
    assert not _saved() and not _audits("compliance_target_set")


def test_a_year_saves_in_one_go_and_only_changes_are_audited(client, auth, north):
    auth.login(role="manager", teams=[north])
    cells = {f"target_{n:02d}": str(49 + n) for n in range(1, 13)}
    cells.update(target_04="53%", national_01="46.4", national_12="46.4")
    response = client.post(URL, data=_grid(**cells))
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    page = _html(client.get(response.headers["Location"]))
    assert "Targets saved: New EHC plans issued within 20 weeks, 2025: 12 months set or changed." in page
    saved = _saved()
    assert sorted(saved) == [date(2025, n, 1) for n in range(1, 13)]
    assert saved[date(2025, 4, 1)].target_percent == Decimal("53.00")
    assert (
        saved[date(2025, 1, 1)].national_average_percent == Decimal("46.40")
        and saved[date(2025, 2, 1)].national_average_percent is None
    )
    assert len(_audits("compliance_target_set")) == 12
    # The grid shows the saved values as a person writes them, and who saved them.
    assert (
        _value(page, "target_01") == "50"
        and _value(page, "national_01") == "46.4"
        and _value(page, "target_12") == "61"
    )
    assert "Targets set" in page and "(12 months)" in page

    # Change one month, clear another: one change and one removal are audited, nothing else.
    cells.update(target_06="70", target_07="", national_12="46.4")
    response = client.post(URL, data=_grid(**cells))
    assert "1 month set or changed and 1 month cleared" in _html(client.get(response.headers["Location"]))
    assert len(_audits("compliance_target_set")) == 13
    removed = _audits("compliance_target_removed")
    assert len(removed) == 1 and removed[0].details == {
        "measure": "final_plan_20_weeks",
        "month": "2025-07-01",
        "old": {"target_percent": "56.00", "national_average_percent": None},
    }
    assert date(2025, 7, 1) not in _saved() and _saved()[date(2025, 6, 1)].target_percent == 70

    # Saving the grid unchanged changes and audits nothing.
    response = client.post(URL, data=_grid(**cells))
    assert "Nothing changed" in _html(client.get(response.headers["Location"]))
    assert len(_audits("compliance_target_set")) == 13 and len(_audits("compliance_target_removed")) == 1
    # The dashboard draws the targets.
    assert 'data-line="Target"' in _html(client.get("/reports/dashboard"))


def test_copy_last_years_targets_fills_the_grid_for_review_and_saves_nothing(client, auth, north):
    manager = auth.login(role="manager", teams=[north])
    for n in (1, 2, 3, 9):
        oversight.set_target(
            measure="final_plan_20_weeks",
            month_on=date(2024, n, 1),
            target_percent=Decimal(40 + n),
            national_average_percent=Decimal("50.3"),
            actor=manager,
        )
    # This year's national average for March stays beside the copied target.
    oversight.set_target(
        measure="final_plan_20_weeks",
        month_on=date(2025, 3, 1),
        target_percent=Decimal(10),
        national_average_percent=Decimal("46.4"),
        actor=manager,
    )
    oversight.set_target(
        measure="decision_6_weeks",
        month_on=date(2024, 5, 1),
        target_percent=Decimal(90),
        national_average_percent=None,
        actor=manager,
    )
    db.session.commit()
    before = len(_audits("compliance_target_set"))

    page = _html(client.get(URL))
    button = re.search(
        r'<a href="([^"]+)"[^>]*class="govuk-button govuk-button--secondary"[^>]*>\s*Copy 2024’s targets', page
    )
    assert button and "copy=last-year" in button.group(1)
    copied = _html(client.get(button.group(1).replace("&amp;", "&")))
    assert "Not saved yet" in copied and "These are 2024’s targets, copied into 2025 for you to check" in copied
    assert [_value(copied, f"target_{n:02d}") for n in (1, 2, 3, 4, 9)] == ["41", "42", "43", "", "49"]
    assert _value(copied, "national_03") == "46.4" and _value(copied, "national_01") == ""  # this year's, not 2024's
    assert _saved()[date(2025, 3, 1)].target_percent == 10  # nothing saved by copying
    assert len(_audits("compliance_target_set")) == before
    # The form posts to the grid's own address, not back to the copy.
    assert 'action="/reports/targets?measure=final_plan_20_weeks&amp;year=2025"' in copied

    # Saving the reviewed grid stores it.
    response = client.post(
        URL, data=_grid(target_01="41", target_02="42", target_03="43", national_03="46.4", target_09="49")
    )
    assert response.status_code == 302
    assert {d.month: t.target_percent for d, t in _saved().items() if d.year == 2025} == {1: 41, 2: 42, 3: 43, 9: 49}
    # Another measure's grid copies its own last year.
    other = _html(client.get("/reports/targets?measure=decision_6_weeks&year=2025&copy=last-year"))
    assert _value(other, "target_05") == "90" and _value(other, "target_01") == ""


def test_choosing_another_measure_and_year(client, auth, north):
    manager = auth.login(role="manager", teams=[north])
    oversight.set_target(
        measure="advice_6_weeks",
        month_on=date(2019, 6, 1),
        target_percent=Decimal(75),
        national_average_percent=None,
        actor=manager,
    )
    db.session.commit()
    page = _html(client.get("/reports/targets?measure=advice_6_weeks&year=2019"))
    assert "Compliance targets for 2019" in page and "Advice received within 6 weeks" in page
    assert _value(page, "target_06") == "75" and '<option value="2019" selected>' in page
    assert 'href="/reports/targets?measure=advice_6_weeks&amp;year=2019"' in page  # listed under "Targets set"
    # A measure or year that is not one falls back to the first measure and this year.
    page = _html(client.get("/reports/targets?measure=nonsense&year=abc"))
    assert "Compliance targets for 2025" in page and "New EHC plans issued within 20 weeks" in page


def test_only_managers_may_use_the_grid(client, auth, north):
    for role in ("coordinator", "viewer", "admin"):
        auth.login(role=role, teams=[north])
        assert client.get(URL).status_code == 403
        assert client.post(URL, data=_grid(target_01="50")).status_code == 403
        client.post("/sign-out")
    assert not _saved()


def test_the_service_checks_the_whole_year_before_writing(app, north):
    manager = create_user(role="manager", teams=[north])
    coordinator = create_user(role="coordinator", teams=[north])
    rows = [oversight.MonthTarget(date(2025, n, 1), Decimal(50), None) for n in range(1, 13)]
    with pytest.raises(Forbidden):
        oversight.save_year_targets(measure="final_plan_20_weeks", year=2025, months=rows, actor=coordinator)
    bad = rows[:11] + [oversight.MonthTarget(date(2025, 12, 1), None, Decimal(40))]
    with pytest.raises(ServiceError) as refused:
        oversight.save_year_targets(measure="final_plan_20_weeks", year=2025, months=bad, actor=manager)
    assert refused.value.field == "target_12"
    with pytest.raises(ServiceError) as refused:
        oversight.save_year_targets(
            measure="final_plan_20_weeks",
            year=2025,
            months=rows[:5] + [oversight.MonthTarget(date(2025, 6, 1), Decimal(101), None)],
            actor=manager,
        )
    assert refused.value.field == "target_06"
    with pytest.raises(ServiceError):
        oversight.save_year_targets(measure="final_plan_20_weeks", year=2024, months=rows, actor=manager)
    assert not _saved()  # nothing written by a refused grid
    assert oversight.save_year_targets(measure="final_plan_20_weeks", year=2025, months=rows, actor=manager) == (12, 0)
