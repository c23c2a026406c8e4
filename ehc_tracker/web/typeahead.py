"""A text input that offers names from the directory as the person types.

The suggestions are the browser's own (`<input list>` with a `<datalist>`), so they work with
no JavaScript and with the keyboard; any other name may still be typed. The service matches
what was typed to a directory entry (services.directory.resolve).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from markupsafe import Markup, escape

from ..models.directory import DirectoryEntry, DirectoryKind

TYPEAHEAD_HINT = "Start typing to choose from the directory, or enter a name that is not in it."


def datalist(list_id: str, entries: Iterable[DirectoryEntry]) -> Markup:
    """The `<datalist>` of directory names (each with its type beside it in the browser's list)."""
    options = "".join(f'<option value="{escape(e.name)}">{escape(e.kind.label)}</option>' for e in entries)
    return Markup(f'<datalist id="{escape(list_id)}">{options}</datalist>')


class DirectoryInput(GovTextInput):
    """GOV.UK text input with the active directory entries of `kinds` (all kinds if None) as
    suggestions. With `shared_list`, it points at a datalist the page renders once (for a form
    with many such inputs) instead of carrying its own."""

    def __init__(self, kinds: Iterable[DirectoryKind] | None = None, *, shared_list: str | None = None) -> None:
        super().__init__()
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.shared_list = shared_list

    def map_gov_params(self, field: Any, **kwargs: Any) -> Any:
        params = super().map_gov_params(field, **kwargs)
        params["attributes"]["autocomplete"] = "off"
        if self.shared_list is not None:
            params["attributes"]["list"] = self.shared_list
            return params
        from ..services.directory import offered

        entries = offered(self.kinds)
        if entries:
            list_id = f"{params['id']}-directory"
            params["attributes"]["list"] = list_id
            params.setdefault("formGroup", {})["afterInput"] = {"html": datalist(list_id, entries)}
        return params
