"""One email address, checked the same way wherever one comes in.

Family invitations, staff accounts, children's contacts, the API and the ESCALATION_EMAILS
setting all pass what they were given through `valid_email_address`. It accepts exactly one
plain address (`name@example.com`) and returns it normalised (trimmed, lower case, the domain in
its ASCII form), or refuses with a message for the person who typed it:

- no line breaks, tabs, NUL or other control or invisible formatting characters (a CR/LF in an
  address would become a second header line when the email is built);
- one address only: no lists (`a@b.org, c@d.org`), no display names or angle brackets
  (`Pat <pat@example.org>`, `<x@evil.example> y@ok.example`), no quoted or bracketed parts;
- nothing that needs SMTPUTF8 before the `@` (letters outside ASCII), so that every mail server
  takes it; an internationalised domain is kept in its `xn--` form.

The syntax is checked with email-validator; no DNS look-up is made.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email

from . import ServiceError

MAX_LENGTH = 254
EXAMPLE = "name@example.com"
# Line and paragraph separators, and every "other" category: controls (CR, LF, TAB, NUL, DEL,
# C1), formatting characters (zero-width spaces, bidirectional overrides), surrogates, private
# use and unassigned code points.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_LIST_SEPARATORS = (",", ";")
_NAME_MARKS = ("<", ">", '"', "(", ")", "[", "]")


class InvalidEmailAddress(ServiceError):
    """An address refused; `message` says why in plain words, `field` names the form field."""


def _has_hidden_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in value)


def _check(value: object, example: str) -> tuple[str | None, str | None]:
    """(the normalised address, None) or (None, why it is refused)."""
    if not isinstance(value, str) or not value.strip():
        return None, "Enter an email address"
    if _has_hidden_characters(value):
        return None, "The email address must not contain line breaks or other hidden characters"
    text = value.strip()
    if len(text) > MAX_LENGTH:
        return None, f"The email address must be {MAX_LENGTH} characters or fewer"
    if text.count("@") > 1 or any(separator in text for separator in _LIST_SEPARATORS):
        return None, "Enter one email address only"
    if any(mark in text for mark in _NAME_MARKS):
        return None, f"Enter the email address only, without a name, quotes or brackets, like {example}"
    try:
        checked = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_empty_local=False,
        )
    except EmailNotValidError:
        return None, f"Enter an email address in the correct format, like {example}"
    return str(checked.ascii_email or checked.normalized).lower(), None


def email_address_problem(value: object, *, example: str = EXAMPLE) -> str | None:
    """Why `value` is not exactly one usable email address, or None when it is one."""
    return _check(value, example)[1]


def valid_email_address(value: object, *, field: str | None = "email", example: str = EXAMPLE) -> str:
    """The one address in `value`, normalised; raises InvalidEmailAddress (a ServiceError for
    `field`) when `value` is not exactly one usable address."""
    address, problem = _check(value, example)
    if address is None:
        raise InvalidEmailAddress(problem or "Enter an email address", field=field)
    return address


def configured_email_addresses(setting: str, value: str | Iterable[str] | None) -> tuple[str, ...]:
    """The addresses of a comma-separated setting (ESCALATION_EMAILS), each checked.

    Blank items are skipped; white space (line breaks included) around an item is ignored, so a
    value may be split over lines. Raises ValueError naming the setting and the item at fault.
    """
    items = value.split(",") if isinstance(value, str) else list(value or ())
    found: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        address, problem = _check(text, EXAMPLE)
        if address is None:
            raise ValueError(f"{setting} has an address that cannot be used ({text!r}): {problem}")
        found.append(address)
    return tuple(dict.fromkeys(found))
