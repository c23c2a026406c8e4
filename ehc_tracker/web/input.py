"""Input every web request must pass before a view sees it: no control characters (a NUL byte
cannot be stored in PostgreSQL text and would end as a 500), no single value longer than
MAX_FIELD_CHARACTERS. The body size is capped by MAX_CONTENT_LENGTH (413). The API checks its
own query strings and JSON bodies against its documented schemas (422), so it is left to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, abort, current_app, request

# C0 control characters other than tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _values() -> Iterable[str]:
    if request.path.startswith("/api/"):
        return
    yield from (v for _, values in request.args.lists() for v in values)
    if request.method in ("POST", "PUT", "PATCH"):
        yield from (v for _, values in request.form.lists() for v in values)


def _check_input() -> None:
    longest = current_app.config["MAX_FIELD_CHARACTERS"]
    for value in _values():
        if _CONTROL.search(value):
            abort(
                400,
                description=(
                    "What was sent contains characters that cannot be saved, such as a null or other control character. "
                    "Go back, remove them (they often come from copying and pasting) and try again."
                ),
            )
        if len(value) > longest:
            abort(
                400,
                description=(
                    f"One of the answers is longer than {longest:,} characters, more than any field here can hold. "
                    "Go back, shorten it and try again."
                ),
            )


def init_input_checks(app: Flask) -> None:
    app.before_request(_check_input)
