"""The SEN2 return: the managers' page (routes.py) and `flask sen2 export` (cli.py).

The return itself is built and validated by services/sen2.py. The header's LA code and its
DMO and DCO items are settings: SEN2_LA_CODE, SEN2_DMO, SEN2_DCO (app config or environment).
"""
from __future__ import annotations

import os

from flask import current_app

from ..services.sen2 import HeaderSettings


def header_settings(*, la_code: str | None = None, dmo: str | None = None, dco: str | None = None) -> HeaderSettings:
    """The header's items: those given, else the app's settings, else the environment's."""

    def pick(name: str, given: str | None) -> str | None:
        value = given or current_app.config.get(f"SEN2_{name}") or os.environ.get(f"SEN2_{name}")
        text = str(value or "").strip().upper()
        return text or None

    return HeaderSettings(la_code=pick("LA_CODE", la_code), dmo=pick("DMO", dmo), dco=pick("DCO", dco))
