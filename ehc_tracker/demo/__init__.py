"""Demonstration data: the accounts every demo shares (accounts.py), the service directory
(directory.py), a few hundred children made through the services (cases.py, seed.py), and a
data set the size of the largest English authority made with bulk inserts (large.py).
`flask seed-demo` (ehc_tracker/cli/demo.py) loads them."""

from __future__ import annotations

from .accounts import (
    DEMO_PARENT_EMAIL,
    DEMO_PASSWORD,
    DEMO_TEAMS,
    DEMO_USERS,
    seed_family_account,
    seed_professional_accounts,
    seed_teams_and_users,
)
from .directory import seed_directory
from .seed import DEMO_CHILDREN, seed_demo_children, seed_sen2_settings

__all__ = [
    "DEMO_CHILDREN",
    "DEMO_PARENT_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_TEAMS",
    "DEMO_USERS",
    "seed_demo_children",
    "seed_directory",
    "seed_family_account",
    "seed_professional_accounts",
    "seed_sen2_settings",
    "seed_teams_and_users",
]
