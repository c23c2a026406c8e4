"""The SEN2 return: the managers' page and the administrators' header settings (routes.py), the
whole-authority export run from the page (jobs.py), and `flask sen2 export` (ehc_tracker/cli/sen2.py).

The return itself is built and validated by services/sen2.py with the year's rules from
ehc_tracker/sen2_rules/. The header's items (LA code, DMO, DCO, DSCO, software code, serial
number) are kept by an administrator on the SEN2 settings page; where an item is not saved there,
the app setting or environment variable SEN2_<ITEM> (e.g. SEN2_LA_CODE) is used instead.
"""

from __future__ import annotations

import os

from flask import current_app

from ..services import sen2 as sen2_service
from ..services.sen2 import HeaderSettings


def header_settings(**given: str | None) -> HeaderSettings:
    """The header's items: those given (the command's options), else the saved settings, else the
    app's settings or the environment's."""
    saved = sen2_service.saved_header()

    def pick(name: str) -> str | None:
        value = given.get(name) or (getattr(saved, name) if saved is not None else None)
        value = value or current_app.config.get(f"SEN2_{name.upper()}") or os.environ.get(f"SEN2_{name.upper()}")
        text = str(value or "").strip()
        return (text if name == "software_code" else text.upper()) or None

    return HeaderSettings(**{name: pick(name) for name in sen2_service.HEADER_ITEMS})
