"""WTForms validators that apply the services' own checks, so a web form and the API refuse the
same values with the same words."""

from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError

from ..services.email_addresses import EXAMPLE, email_address_problem


class EmailAddress:
    """Exactly one plain email address (see `services.email_addresses`). An empty field passes:
    pair it with DataRequired, or leave it optional."""

    def __init__(self, *, example: str = EXAMPLE) -> None:
        self.example = example

    def __call__(self, form: Any, field: Any) -> None:
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()):
            return  # empty: DataRequired's business (nothing is stored for an empty optional field)
        if field.errors:
            return  # an earlier validator (Length, say) has objected already: one message is enough
        problem = email_address_problem(data, example=self.example)
        if problem is not None:
            raise ValidationError(problem)
