"""A small description language for the SEN2 XML schema, and a validator for it.

The DfE publishes each year's SEN2 structure as an XML schema. The project keeps the structure
in its own form (`Element`, `Complex`, `Simple`, in a collection's entry, see collection2026.py)
and checks a generated return against it: element order, required elements, how many times each
may occur, the text's type (date, date-time, year, pattern) and code lists, no empty elements, and
the "one of these is needed" groups the DfE's guide states in words (a person's UPN, ULN or reason
the UPN is not known; a placement's URN, UKPRN or SEN setting).

Pure: standard library only, no database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime

UNBOUNDED = None


@dataclass(frozen=True)
class Simple:
    """A text-only type: a base kind, and optionally a pattern (whole text) or a code list."""

    name: str
    kind: str = "string"  # string | date | datetime | year
    pattern: str | None = None
    codes: tuple[str, ...] = ()

    def problem(self, text: str) -> str | None:
        """What is wrong with `text` for this type, or None."""
        if text == "":
            return "is empty"
        if self.kind == "date":
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    raise ValueError
                date.fromisoformat(text)
            except ValueError:
                return f"'{text}' is not a date (YYYY-MM-DD)"
        elif self.kind == "datetime":
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", text):
                    raise ValueError
                datetime.fromisoformat(text)
            except ValueError:
                return f"'{text}' is not a date and time (YYYY-MM-DDThh:mm:ss)"
        elif self.kind == "year" and not re.fullmatch(r"\d{4}", text):
            return f"'{text}' is not a year"
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            return f"'{text}' does not match the {self.name} pattern"
        if self.codes and text not in self.codes:
            return f"'{text}' is not in the {self.name} code list ({', '.join(self.codes)})"
        return None


@dataclass(frozen=True)
class Element:
    name: str
    type: Simple | Complex
    min: int = 1
    max: int | None = 1
    # Where this element's position is not in a published schema we hold, what it is inferred from.
    inferred: str | None = None


@dataclass(frozen=True)
class Complex:
    """A sequence of child elements, in order; `one_of` lists groups of which at least one must be present."""

    name: str
    sequence: tuple[Element, ...]
    one_of: tuple[tuple[str, ...], ...] = field(default=())

    def child(self, name: str) -> Element | None:
        return next((e for e in self.sequence if e.name == name), None)


@dataclass(frozen=True)
class SchemaError:
    """One schema error: where (a path like Message/Persons/Person[3]/Requests[1]), and what."""

    path: str
    message: str

    @property
    def person_index(self) -> int | None:
        """The 1-based position of the Person the error is in, if any."""
        found = re.search(r"/Person\[(\d+)\]", self.path)
        return int(found.group(1)) if found else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def validate(root: ET.Element, top: Element) -> list[SchemaError]:
    """Every schema error in the document rooted at `root`, against the element `top`."""
    errors: list[SchemaError] = []
    if root.tag != top.name:
        return [SchemaError(root.tag, f"the document element should be {top.name}")]
    _check(root, top, top.name, errors)
    return errors


def _check(node: ET.Element, spec: Element, path: str, errors: list[SchemaError]) -> None:
    kind = spec.type
    if isinstance(kind, Simple):
        if len(node):
            errors.append(SchemaError(path, f"{spec.name} holds elements but should hold only text"))
            return
        problem = kind.problem((node.text or "").strip() if kind.kind != "string" else (node.text or ""))
        if problem:
            errors.append(SchemaError(path, f"{spec.name} {problem}"))
        return
    if (node.text or "").strip():
        errors.append(SchemaError(path, f"{spec.name} holds text but should hold only elements"))
    children = list(node)
    position = 0
    counts: dict[str, int] = {}
    for expected in kind.sequence:
        seen = 0
        while position < len(children) and children[position].tag == expected.name:
            seen += 1
            child = children[position]
            child_path = f"{path}/{expected.name}" + (f"[{seen}]" if expected.max != 1 else "")
            if expected.max is not None and seen > expected.max:
                errors.append(
                    SchemaError(
                        child_path,
                        f"{expected.name} may occur at most {expected.max} time{'s' if expected.max != 1 else ''} here",
                    )
                )
            else:
                _check(child, expected, child_path, errors)
            position += 1
        counts[expected.name] = seen
        if seen < expected.min:
            errors.append(
                SchemaError(
                    path,
                    f"{expected.name} is required in {spec.name}"
                    + (f" ({expected.min} at least)" if expected.min > 1 else ""),
                )
            )
    for child in children[position:]:
        if kind.child(child.tag) is not None:
            errors.append(SchemaError(f"{path}/{child.tag}", f"{child.tag} is out of order in {spec.name}"))
        else:
            errors.append(SchemaError(f"{path}/{child.tag}", f"{child.tag} is not an element of {spec.name}"))
    for group in kind.one_of:
        present = {c.tag for c in children}
        if not present & set(group):
            errors.append(SchemaError(path, f"{spec.name} needs one of {', '.join(group)}"))


def element_order(top: Element) -> dict[str, tuple[str, ...]]:
    """Each complex type's child element names in order, by type name (for writers and tests)."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(element: Element) -> None:
        if isinstance(element.type, Complex) and element.type.name not in found:
            found[element.type.name] = tuple(e.name for e in element.type.sequence)
            for child in element.type.sequence:
                walk(child)

    walk(top)
    return found


def inferred_positions(top: Element) -> list[tuple[str, str]]:
    """(element, what its position is inferred from) for every element not in a schema we hold."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def walk(element: Element, path: str) -> None:
        if element.inferred:
            found.append((path, element.inferred))
        if isinstance(element.type, Complex) and element.type.name not in seen:
            seen.add(element.type.name)
            for child in element.type.sequence:
                walk(child, f"{path}/{child.name}")

    walk(top, top.name)
    return found
