"""EHC Tracker: statutory case workflow for EHC needs assessments and annual reviews."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ConfigurationError, config_for

from .extensions import csrf, db, login_manager, migrate
from .statutory.status import DEFAULT_DUE_SOON_DAYS


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT reverse proxies, take the client's address and scheme from the
    X-Forwarded-For and X-Forwarded-Proto entries those proxies added (ProxyFix reads them from the
    right, so a client cannot forge its way past the proxies). With 0, the headers are ignored."""
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count < 0:
        raise ConfigurationError("TRUSTED_PROXY_COUNT must be 0 or more")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def _check_email_settings(app: Flask) -> None:
    """Refuse to start with an address in ESCALATION_EMAILS that could not be sent to (a list
    within an item, a display name, a line break): it would otherwise be found only when the
    alerts run, one email at a time."""
    from .services.email_addresses import configured_email_addresses

    try:
        configured_email_addresses("ESCALATION_EMAILS", app.config.get("ESCALATION_EMAILS"))
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def create_app(config: str | Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    `config` is an environment name ("development", "testing", "production"), or a mapping
    of settings applied over the testing configuration (used by the tests), or None to use
    the EHC_ENV environment variable.
    """
    app = Flask(__name__, instance_relative_config=False, static_folder="static")
    if config is None or isinstance(config, str):
        app.config.from_mapping(config_for(config).load())
    else:
        app.config.from_mapping(config_for("testing").load())
        app.config.from_mapping(config)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(app.root_path + "/../templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    _trust_proxies(app)
    _check_email_settings(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=app.root_path + "/../migrations")
    login_manager.init_app(app)
    from .web.uploads import init_uploads

    init_uploads(app)  # before the CSRF check reads a request's body
    csrf.init_app(app)

    from . import models  # noqa: F401  (registers every model with the metadata)
    from .services import open_steps  # noqa: F401  (every session keeps milestones' case copies in step)
    from .web import init_web

    init_web(app)
    app.jinja_env.globals["DEFAULT_DUE_SOON_DAYS"] = DEFAULT_DUE_SOON_DAYS  # "due in the next N days"

    from .services import family_mail

    family_mail.subscribe()  # the family's emails when a step or a reply is recorded
    from .services import feedback

    feedback.subscribe()  # the family's feedback survey when a step the council chose is recorded

    from .api import api_bp

    # Token-authenticated JSON endpoints use no cookies for changes (see api/auth.py): no CSRF token.
    csrf.exempt(api_bp)

    from .cli import register_cli

    register_cli(app)
    return app
