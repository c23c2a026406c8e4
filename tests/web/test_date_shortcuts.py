"""The "today" shortcut on step dates, and the on-time wording of the form and of the banner."""

from datetime import date

from sqlalchemy import select
from wtforms import Form

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case
from ehc_tracker.services import clock
from ehc_tracker.services.timeliness import against_due, recorded_message
from ehc_tracker.web.fields import GovDateField, add_today_shortcut
from tests.factories_cases import create_assessment
from tests.helpers import create_team

TODAY = date(2026, 3, 9)


def _case(auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    return create_assessment(coordinator=me, received_on=date(2025, 1, 6))  # decision due 17 February 2025


def test_step_form_gives_todays_date_in_the_hint_and_to_the_button(client, auth, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    case = _case(auth)
    html = client.get(f"/cases/{case.id}/events/decided_to_assess").get_data(as_text=True)
    # Without JavaScript the hint says today's date (the service's, not the browser's)...
    assert "For example, 27 3 2025. Today is 9 3 2026." in html
    # ...and the button that init.js adds fills in the same date.
    assert 'data-today="2026-03-09"' in html
    # The on-time line is told the due date the page shows, and is a polite live region.
    assert 'id="on-time-check" aria-live="polite" data-date-input="on" data-due-on="2025-02-17"' in html


def test_only_dates_marked_as_this_happened_get_the_shortcut(app, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)

    class Dates(Form):
        born = GovDateField("Date of birth", description="For example, 27 3 2007")
        happened = GovDateField("Date received", today_shortcut=True)

    with app.test_request_context():
        form = Dates()
        born, happened = str(form.born()), str(form.happened())
        marked_when_shown = str(form.born(today_shortcut=True))
    assert "Today is" not in born and "data-today" not in born
    assert "Today is 9 3 2026." in happened and 'data-today="2026-03-09"' in happened
    assert "For example, 27 3 2007. Today is 9 3 2026." in marked_when_shown


def test_the_hint_keeps_markup_escaped():
    params = add_today_shortcut({"hint": {"html": "<b>Day</b>"}, "attributes": {"x": "1"}}, date(2026, 1, 2))
    assert params["hint"]["html"] == "<b>Day</b> Today is 2 1 2026."
    assert params["attributes"] == {"x": "1", "data-today": "2026-01-02"}
    assert add_today_shortcut({"hint": None}, date(2026, 1, 2))["hint"] == {"text": "Today is 2 1 2026."}


def test_against_due_counts_calendar_days():
    due = date(2025, 2, 17)
    assert against_due(date(2025, 2, 17), due) == "on time"
    assert against_due(date(2025, 2, 1), due) == "on time"
    assert against_due(date(2025, 2, 18), due) == "1 day after the due date"
    assert against_due(date(2025, 3, 3), due) == "14 days after the due date"
    assert (
        recorded_message("Decided to assess", date(2025, 2, 10), None)
        == "Recorded: Decided to assess on 10 February 2025."
    )


def test_banner_says_on_time(client, auth):
    case = _case(auth)
    response = client.post(f"/cases/{case.id}/events/decided_to_assess", data={"on": ["10", "2", "2025"]})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded: Decided to assess on 10 February 2025. That is on time (due by 17 February 2025)." in html


def test_banner_says_how_many_days_late(client, auth):
    case = _case(auth)
    response = client.post(f"/cases/{case.id}/events/decided_to_assess", data={"on": ["20", "2", "2025"]})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Recorded: Decided to assess on 20 February 2025. That is 3 days after the due date (17 February 2025)." in html
    )
    # The case page agrees: the same time limit, done 3 days late.
    stored = db.session.scalars(select(Case)).one()
    assert any(m.key == "decision_to_assess" and m.met_on == date(2025, 2, 20) for m in stored.milestones)
    assert "3 days late" in html


def test_other_dates_that_happened_get_the_shortcut_too(client, auth, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    case = _case(auth)
    for url in (f"/cases/{case.id}/communications/new", f"/children/{case.child_id}/assessments/new"):
        html = client.get(url).get_data(as_text=True)
        assert "Today is 9 3 2026." in html and 'data-today="2026-03-09"' in html, url
