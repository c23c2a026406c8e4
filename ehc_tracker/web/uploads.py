"""Pages that take a document accept a body big enough for it (DOCUMENT_MAX_BYTES, plus room for
the form's other fields); every other page keeps MAX_CONTENT_LENGTH. The limit is raised before
anything reads the body (the CSRF check included), so it is registered first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

F = TypeVar("F", bound=Callable[..., Any])

# The form's other fields (title, date, who supplied it) and the multipart framing.
FORM_ALLOWANCE_BYTES = 256 * 1024


def takes_document(view: F) -> F:
    """Mark a view whose form carries a document upload."""
    view.takes_document = True  # type: ignore[attr-defined]
    return view


def _raise_limit_for_documents() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "takes_document", False):
        request.max_content_length = int(current_app.config["DOCUMENT_MAX_BYTES"]) + FORM_ALLOWANCE_BYTES


def init_uploads(app: Flask) -> None:
    app.before_request(_raise_limit_for_documents)
