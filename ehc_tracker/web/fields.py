"""Form fields shared by the features."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


# The years a date in this service can fall in (the API's schemas use the same range): a year 1
# or 9999 typed by mistake is refused, never stored to count a due date from.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


class GovDateField(DateField):
    """A date typed as day, month and year boxes (the GOV.UK date input pattern).

    Empty boxes give `None` (so Optional()/InputRequired() decide); anything else that is not
    a real date gets a plain-English error while the boxes keep what was typed.
    """

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

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
