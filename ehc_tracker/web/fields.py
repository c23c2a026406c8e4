"""Form fields shared by the features."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from markupsafe import escape
from wtforms import DateField

from ..services import clock

# The years a date in this service can fall in (the API's schemas use the same range): a year 1
# or 9999 typed by mistake is refused, never stored to count a due date from.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


def today_hint(today: date) -> str:
    """The words added to a date's hint so that, without JavaScript, today's date is still on the page."""
    return f"Today is {today.day} {today.month} {today.year}."


def add_today_shortcut(params: dict[str, Any], today: date) -> dict[str, Any]:
    """Give a govukDateInput's params today's date: in its hint, and as `data-today` for the
    "Use today's date" button that static/date-fields.js adds (the service's today, which may
    not be the browser's)."""
    hint = dict(params.get("hint") or {})
    words = today_hint(today)
    if hint.get("html"):
        hint["html"] = f"{hint['html']} {escape(words)}"
    else:
        before = str(hint.get("text") or "").rstrip()
        if before and not before.endswith("."):
            before += "."
        hint["text"] = f"{before} {words}".strip()
    params["hint"] = hint
    params["attributes"] = {**(params.get("attributes") or {}), "data-today": today.isoformat()}
    return params


class DateInput(GovDateInput):
    """The GOV.UK date input; `today_shortcut=True` (on the field, or when rendering it) adds
    today's date to the hint and the "Use today's date" button, for "the date this happened"."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        shortcut = bool(kwargs.pop("today_shortcut", False) or getattr(field, "today_shortcut", False))
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        if shortcut:
            add_today_shortcut(params, clock.today())
        return params


class GovDateField(DateField):
    """A date typed as day, month and year boxes (the GOV.UK date input pattern).

    Empty boxes give `None` (so Optional()/InputRequired() decide); anything else that is not
    a real date gets a plain-English error while the boxes keep what was typed.
    `today_shortcut=True` marks "the date this happened": see DateInput.
    """

    widget = DateInput()

    def __init__(
        self, label: str | None = None, validators: Any = None, *, today_shortcut: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)
        self.today_shortcut = today_shortcut

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        # The widget expects exactly three boxes, or nothing typed at all.
        if not self.raw_data:
            self.raw_data = None
        elif len(self.raw_data) != 3:
            self.raw_data = (list(self.raw_data) + ["", "", ""])[:3]

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        parts = [v.strip() for v in valuelist]
        if not any(parts):
            self.data = None
            return
        if len(parts) != 3 or not all(parts):
            missing = [name for name, value in zip(("day", "month", "year"), parts + [""] * 3) if not value]
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if len(parts[2]) != 4:
            self.data = None
            raise ValueError(f"{self.label.text} must include a year with 4 numbers, like 2025")
        try:
            self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date()
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2025") from None
        if not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            self.data = None
            raise ValueError(f"{self.label.text} must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
