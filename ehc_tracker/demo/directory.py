"""The demo authority's directory of providers and settings (made-up names, references of the right
shape, contact details from the ranges kept for drama: example.org addresses, 01632 960 numbers)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models.directory import DirectoryEntry, DirectoryKind
from ..services.directory import name_key

K = DirectoryKind
# name, type, URN, UKPRN, email, phone. The schools' URNs and the college's UKPRN are the ones the
# demo's SEN2 return reports for the same settings.
DIRECTORY: list[tuple[str, DirectoryKind, str, str, str, str]] = [
    (
        "Northtown Educational Psychology Service",
        K.EDUCATIONAL_PSYCHOLOGY,
        "",
        "",
        "eps.northtown@example.org",
        "01632 960 101",
    ),
    (
        "Northtown Community Paediatrics",
        K.HEALTH_PAEDIATRICS,
        "",
        "",
        "paediatrics.northtown@example.org",
        "01632 960 102",
    ),
    (
        "Northtown Children's Speech and Language Therapy",
        K.SPEECH_AND_LANGUAGE,
        "",
        "",
        "salt.northtown@example.org",
        "01632 960 103",
    ),
    (
        "Northtown Children's Occupational Therapy",
        K.OCCUPATIONAL_THERAPY,
        "",
        "",
        "ot.northtown@example.org",
        "01632 960 104",
    ),
    ("Northtown Children's Social Care", K.SOCIAL_CARE, "", "", "childrens.services@example.org", "01632 960 105"),
    ("Little Steps Nursery", K.EARLY_YEARS, "", "", "hello.littlesteps@example.org", "01632 960 110"),
    ("Sunbeam Pre-school", K.EARLY_YEARS, "", "", "sunbeam.preschool@example.org", "01632 960 111"),
    ("Hill Primary School", K.SCHOOL, "107001", "", "senco.hill@example.org", "01632 960 120"),
    ("St Mary's CE Primary", K.SCHOOL, "107002", "", "office.stmarys@example.org", "01632 960 121"),
    ("Brook Infant School", K.SCHOOL, "107003", "", "office.brook@example.org", "01632 960 122"),
    ("Westfield Junior School", K.SCHOOL, "107004", "", "office.westfield@example.org", "01632 960 123"),
    ("Meadow Special School", K.SCHOOL, "107005", "", "admin.meadow@example.org", "01632 960 124"),
    ("Oakfield Secondary", K.SCHOOL, "107006", "", "senco.oakfield@example.org", "01632 960 125"),
    ("Riverside Academy", K.SCHOOL, "141007", "", "inclusion.riverside@example.org", "01632 960 126"),
    ("Riverside Academy Sixth Form", K.SCHOOL, "141007", "", "sixthform.riverside@example.org", "01632 960 127"),
    ("Northgate College", K.COLLEGE, "", "10004321", "learning.support@example.org", "01632 960 130"),
    (
        "Oakwood Specialist College",
        K.INDEPENDENT_SPECIALIST,
        "",
        "10009876",
        "admissions.oakwood@example.org",
        "01632 960 131",
    ),
]
# A service that has closed: kept (old cases may name it), no longer offered.
CLOSED = ("Northtown Child Development Centre", K.HEALTH_PAEDIATRICS)

# Who each kind of demo advice is asked of (school advice comes from the child's own setting).
ADVICE_PROVIDERS = {
    "ep": "Northtown Educational Psychology Service",
    "health": "Northtown Community Paediatrics",
    "social_care": "Northtown Children's Social Care",
    "salt": "Northtown Children's Speech and Language Therapy",
    "ot": "Northtown Children's Occupational Therapy",
}
# Some health advice comes from a service outside the directory (typed in by the coordinator).
OUTSIDE_HEALTH = "Southtown Hospital Child and Adolescent Mental Health Service"


def seed_directory() -> int:
    """Add the demo directory to a database that has none; return how many entries were added."""
    if db.session.scalar(select(func.count(DirectoryEntry.id))):
        return 0
    for name, kind, urn, ukprn, email, phone in DIRECTORY:
        db.session.add(
            DirectoryEntry(
                name=name,
                name_key=name_key(name),
                kind=kind,
                urn=urn or None,
                ukprn=ukprn or None,
                email=email,
                phone=phone,
                active=True,
            )
        )
    name, kind = CLOSED
    db.session.add(DirectoryEntry(name=name, name_key=name_key(name), kind=kind, active=False))
    db.session.flush()
    return len(DIRECTORY) + 1
