import os

import pytest

from config import ConfigurationError, DevelopmentConfig, ProductionConfig, _database_url, config_for


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY, DATABASE_URL"):
        ProductionConfig.load()


def test_production_refuses_a_missing_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        ProductionConfig.load()


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/ehc")
    with pytest.raises(ConfigurationError, match="at least 32"):
        ProductionConfig.load()


def test_production_reads_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db/ehc")
    settings = ProductionConfig.load()
    assert settings["SECRET_KEY"] == "k" * 40
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db/ehc"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_create_app_in_production_without_secrets_fails(monkeypatch):
    from ehc_tracker import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError):
        create_app("production")


def test_the_default_environment_is_production(monkeypatch):
    monkeypatch.delenv("EHC_ENV", raising=False)
    assert config_for() is ProductionConfig


def test_development_has_no_fixed_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = DevelopmentConfig.load()["SECRET_KEY"]
    second = DevelopmentConfig.load()["SECRET_KEY"]
    assert first != second and len(str(first)) >= 32


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigurationError, match="EHC_ENV"):
        config_for("staging-ish")


@pytest.mark.parametrize(
    "given, expected",
    [
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_database_urls_get_the_psycopg_driver(given, expected):
    assert _database_url(given) == expected


def test_due_soon_has_one_default():
    """DUE_SOON_DAYS defaults to the constant every page's default uses, and the alerts follow it."""
    import os

    from config import Config
    from ehc_tracker.statutory.status import DEFAULT_DUE_SOON_DAYS

    if "DUE_SOON_DAYS" not in os.environ:
        assert Config.DUE_SOON_DAYS == DEFAULT_DUE_SOON_DAYS
    if "ALERT_DUE_SOON_DAYS" not in os.environ:
        assert Config.ALERT_DUE_SOON_DAYS == Config.DUE_SOON_DAYS


def test_every_setting_the_code_reads_is_declared_in_config():
    """A setting read as config["NAME"] or config.get("NAME") anywhere in ehc_tracker is declared
    in config.py (with its comment), or is one of Flask's own."""
    import re
    from pathlib import Path

    from flask import Flask

    from config import Config, TestingConfig
    from ehc_tracker.services.sen2 import HEADER_ITEMS

    root = Path(__file__).resolve().parents[2] / "ehc_tracker"
    read = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"config(?:\.get|\.setdefault)?\(?\[?\s*[\"']([A-Z][A-Z0-9_]+)[\"']", text))
    read |= {f"SEN2_{item.upper()}" for item in HEADER_ITEMS}  # sen2/__init__.py: header_settings
    declared = {name for name in dir(TestingConfig) if name.isupper()} | set(Flask.default_config)
    assert read, "the pattern found no settings: it has gone stale"
    assert sorted(read - declared) == []
    assert hasattr(Config, "TIME_ZONE") and hasattr(Config, "DUE_SOON_DAYS")


def test_only_development_names_a_council_by_default():
    if os.environ.get("COUNCIL_NAME"):
        pytest.skip("COUNCIL_NAME is set in this environment")
    assert DevelopmentConfig.COUNCIL_NAME == "Demo Council"
    assert ProductionConfig.COUNCIL_NAME == ""
