"""The SEN2 collection's rules, one entry per year, as data: the reference period, the XML
structure (element order, cardinality, types and code lists), the business rules and the code
lists the return uses. Pure: no database, no Flask.

A new year is a new module and a new `Collection` in COLLECTIONS; the return is built with the
newest entry whose year is not after the census year (see `collection_for`).
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from types import ModuleType

from . import collection2026
from .schema import Element, SchemaError, element_order, inferred_positions
from .schema import validate as validate_against


@dataclass(frozen=True)
class ReferencePeriod:
    """Requests, assessments and ended plans: the calendar year before the census (both ends
    included). Active plans and review items: as at the census date."""

    census_date: date
    starts_on: date
    ends_on: date

    def __contains__(self, on: object) -> bool:
        return isinstance(on, date) and self.starts_on <= on <= self.ends_on


@dataclass(frozen=True)
class Collection:
    year: int
    rules: ModuleType

    @property
    def message(self) -> Element:
        element: Element = self.rules.MESSAGE
        return element

    @property
    def business_rules(self) -> dict[str, str]:
        found: dict[str, str] = self.rules.BUSINESS_RULES
        return found

    @property
    def warnings(self) -> frozenset[str]:
        found: frozenset[str] = self.rules.WARNINGS
        return found

    def period(self, census_date: date) -> ReferencePeriod:
        return ReferencePeriod(census_date, date(census_date.year - 1, 1, 1), date(census_date.year - 1, 12, 31))

    def order(self) -> dict[str, tuple[str, ...]]:
        return element_order(self.message)

    def validate(self, xml: bytes) -> list[SchemaError]:
        return validate_against(ET.fromstring(xml), self.message)

    def inferred(self) -> list[tuple[str, str]]:
        return inferred_positions(self.message)


COLLECTIONS = {2026: Collection(2026, collection2026)}


def collection_for(year: int) -> Collection:
    """The newest collection entry whose year is not after `year` (the earliest one for older years)."""
    years = sorted(COLLECTIONS)
    chosen = max((y for y in years if y <= year), default=years[0])
    return COLLECTIONS[chosen]


def census_date_for(year: int) -> date:
    """The third Thursday of January, the DfE's census day for SEN2."""
    first = date(year, 1, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=2)


# --- The DfE's local authority codes (for TransferLA and Exported) ----------------------------------


@cache
def la_codes() -> dict[str, str]:
    """The 3-digit DfE code of every English local authority, with its name (la_codes.csv, written
    from the DfE's published list of LA codes as used by Get Information about Schools)."""
    with resources.files(__package__).joinpath("la_codes.csv").open(encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


_NOISE = r"the|council|county|borough|metropolitan|royal|district|of|local|authority"


def _variants(name: str) -> list[str]:
    """The name reduced to letters, without the words councils put around it; then also without
    "city" and "london" (so "Leeds City Council" and "London Borough of Camden" match)."""
    text = name.lower().replace("&", " and ").replace("st.", "st ")
    text = re.sub(rf"\b({_NOISE})\b", " ", text)
    found = []
    for drop in ("", "city", "london", "city|london"):
        reduced = re.sub(rf"\b({drop})\b", " ", text) if drop else text
        plain = re.sub(r"[^a-z]+", "", reduced)
        if plain and plain not in found:
            found.append(plain)
    return found


@cache
def _by_plain_name() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name in la_codes().items():
        index.setdefault(_variants(name)[0], code)
    return index


def la_code_for(text: str | None) -> str | None:
    """The DfE code for an authority given by its code, or by its name (allowing "Council",
    "City of", "London Borough of", "&" and the like), or None when it matches none."""
    value = (text or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{3}", value):
        return value if value in la_codes() else None
    index = _by_plain_name()
    return next((index[v] for v in _variants(value) if v in index), None)


__all__ = [
    "COLLECTIONS",
    "Collection",
    "ReferencePeriod",
    "SchemaError",
    "census_date_for",
    "collection_for",
    "la_code_for",
    "la_codes",
]
