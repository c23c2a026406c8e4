"""The click parameter types the commands share. Imports no Flask, so `flask deadlines` stays
usable without the app."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import click

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

if TYPE_CHECKING:
    _DateParamBase = click.ParamType[date]  # generic from click 8.4
else:
    _DateParamBase = click.ParamType


class IsoDate(_DateParamBase):
    """A date written YYYY-MM-DD, and only that, with a plain message for impossible dates such
    as 2025-02-30. `wrong`, when given, replaces both messages (it may name the option's meaning)."""

    name = "date"

    def __init__(self, wrong: str | None = None) -> None:
        self.wrong = wrong

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not _ISO_DATE.fullmatch(text):
            self.fail(self.wrong or f"{text!r} is not a date in the form YYYY-MM-DD.", param, ctx)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(self.wrong or f"{text!r} is not a real date.", param, ctx)


DATE = IsoDate()
