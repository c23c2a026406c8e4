"""The JSON API (/api/v1, token-authenticated) and the account page where tokens are managed."""

from __future__ import annotations

from typing import Any

from .auth import configure
from .routes import account_bp, bp

api_bp = bp

__all__ = ["account_bp", "api_bp", "init_api"]


def init_api(app: Any) -> None:
    """Register the API and the account page, with the settings they read."""
    configure(app)
    app.register_blueprint(api_bp)
    app.register_blueprint(account_bp)
