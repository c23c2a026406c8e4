"""Configuration classes, read from environment variables.

Secrets never have defaults. Development and testing generate a throw-away secret key
per process when none is set; production refuses to start without one.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class ConfigurationError(RuntimeError):
    """Raised when the environment does not give what a configuration needs."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _database_url(url: str) -> str:
    # Hosting platforms often hand out "postgres://" URLs; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"  # which configuration is running (EHC_ENV); seed-demo refuses "production"
    SERVICE_NAME = "EHC Tracker"  # shown in the header, page titles and emails
    # The council's name as its statutory letters print it (ehc_tracker/letters); letters are refused until set.
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "")
    # The service's one time zone: "today", the daily alerts' time, and every time shown or
    # exported (read through ehc_tracker/services/clock.py: local_zone()).
    TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
    # Calendar days before a due date from which an unmet step counts as "due soon". The pages'
    # defaults use DEFAULT_DUE_SOON_DAYS (ehc_tracker/statutory/status.py), which this must equal
    # unless set; the daily alerts read it through ALERT_DUE_SOON_DAYS.
    DUE_SOON_DAYS = _int("DUE_SOON_DAYS", 10)

    # The database: DATABASE_URL (see from_environment); SQLite in development and tests.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Web requests: the largest body accepted (413 past it) and the longest single form value
    # (400 past it); each form field also has its own, smaller limit with the typing kept.
    MAX_CONTENT_LENGTH = _int("MAX_REQUEST_BYTES", 1_000_000)
    MAX_FIELD_CHARACTERS = _int("MAX_FIELD_CHARACTERS", 20_000)

    # Session cookie: HttpOnly and SameSite always; Secure unless explicitly serving plain HTTP.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_MAX_HOURS", 10))
    IDLE_TIMEOUT_MINUTES = _int("IDLE_TIMEOUT_MINUTES", 30)
    # The idle timeout in seconds, when set: wins over IDLE_TIMEOUT_MINUTES (tests use seconds).
    IDLE_TIMEOUT_SECONDS: int | None = _int("IDLE_TIMEOUT_SECONDS", 0) or None
    # The "you are about to be signed out" warning (WCAG 2.2.1) comes this long before the idle
    # timeout, with a button to stay signed in (at most the whole timeout).
    IDLE_WARNING_SECONDS = _int("IDLE_WARNING_SECONDS", 120)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits

    # Sign-in throttling: this many failures within the window locks the account (or address).
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    LOGIN_FAILURE_WINDOW_MINUTES = _int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    # Past LOGIN_MAX_FAILURES_PER_ADDRESS, wrong attempts from that address get a wait that starts
    # here and doubles with each further failure (capped at the window). A correct password for an
    # account that is not itself locked still signs in.
    LOGIN_ADDRESS_DELAY_SECONDS = _int("LOGIN_ADDRESS_DELAY_SECONDS", 30)
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, the client
    # connects directly). Throttling and the audit log use the address the nearest trusted proxy saw.
    TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
    # Passwords: the shortest and longest accepted.
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 12)
    PASSWORD_MAX_LENGTH = _int("PASSWORD_MAX_LENGTH", 128)
    # Family accounts: after the password, a 6-digit code emailed to them (minutes it stays valid).
    FAMILY_SIGN_IN_CODE = _bool("FAMILY_SIGN_IN_CODE", True)
    SIGN_IN_CODE_MINUTES = _int("SIGN_IN_CODE_MINUTES", 10)
    # Professional accounts (advice givers) sign in the same way: password, then the emailed code.
    PROFESSIONAL_SIGN_IN_CODE = _bool("PROFESSIONAL_SIGN_IN_CODE", True)
    # How long the link inviting a professional to return advice works (days; once only).
    PROFESSIONAL_INVITATION_DAYS = _int("PROFESSIONAL_INVITATION_DAYS", 14)

    # Outgoing email: the backend (smtp, console, memory, notify), the SMTP server and the sender;
    # BASE_URL is the address people reach the service at, for the links in emails.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("notify" if os.environ.get("NOTIFY_API_KEY") else "console")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ehc-tracker@localhost")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 30)
    # GOV.UK Notify (MAIL_BACKEND=notify): an email template whose subject is ((subject)) and body ((body)).
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY")
    NOTIFY_TEMPLATE_ID = os.environ.get("NOTIFY_TEMPLATE_ID")

    # Daily alerts (see README, "Daily alerts and the scheduler").
    ALERT_TIME = os.environ.get("ALERT_TIME", "07:00")  # local time (TIME_ZONE) of the daily run
    ALERT_DUE_SOON_DAYS = _int(
        "ALERT_DUE_SOON_DAYS", DUE_SOON_DAYS
    )  # "due soon" in the alerts (default: DUE_SOON_DAYS)
    ALERT_WEEKLY_DAY = _int("ALERT_WEEKLY_DAY", 0)  # weekly digests go out on this weekday (0 = Monday)
    ALERT_SKIP_NON_WORKING_DAYS = _bool("ALERT_SKIP_NON_WORKING_DAYS", True)  # no alerts on weekends and holidays
    ALERT_CATCH_UP_DAYS = _int("ALERT_CATCH_UP_DAYS", 7)  # missed days run on start, at most this many
    ALERT_LOCK_MINUTES = _int("ALERT_LOCK_MINUTES", 30)  # lease on the job lock (SQLite only)
    ESCALATION_WORKING_DAYS = _int("ESCALATION_WORKING_DAYS", 10)  # escalate when overdue by more than this
    # Milestones escalated as soon as they are overdue (comma-separated keys).
    ESCALATION_IMMEDIATE_KEYS = os.environ.get("ESCALATION_IMMEDIATE_KEYS", "final_plan,final_plan_after_reassessment")
    ESCALATION_EMAILS = os.environ.get("ESCALATION_EMAILS", "")  # comma-separated; always receive escalations
    # Reminders to the professional asked for advice (reg 8: 6 weeks), each sent once: these many
    # calendar days and working days before the due date (comma-separated), and the day after it.
    ADVICE_REMINDER_DAYS = os.environ.get("ADVICE_REMINDER_DAYS", "14")
    ADVICE_REMINDER_WORKING_DAYS = os.environ.get("ADVICE_REMINDER_WORKING_DAYS", "3")
    # Advice overdue by this many working days is escalated to the provider's named contact.
    ADVICE_ESCALATION_WORKING_DAYS = _int("ADVICE_ESCALATION_WORKING_DAYS", 5)
    OUTBOX_MAX_ATTEMPTS = _int("OUTBOX_MAX_ATTEMPTS", 20)  # a message is given up after this many failures
    OUTBOX_BACKOFF_SECONDS = _int("OUTBOX_BACKOFF_SECONDS", 60)  # doubles after each failed attempt
    OUTBOX_BACKOFF_MAX_SECONDS = _int("OUTBOX_BACKOFF_MAX_SECONDS", 3600)  # ... up to this
    # A message that fails again when older than this is given up (0: never on age alone). An
    # outage of the mail server charges no message an attempt and gives nothing up.
    OUTBOX_MAX_AGE_HOURS = _int("OUTBOX_MAX_AGE_HOURS", 168)
    # SQLite: a message claimed this long ago by a sender that never finished goes back to the outbox.
    OUTBOX_CLAIM_TIMEOUT_MINUTES = _int("OUTBOX_CLAIM_TIMEOUT_MINUTES", 15)
    # A "running" alerts run with no heartbeat for this long died; the next run marks it failed.
    JOB_RUN_STALE_MINUTES = _int("JOB_RUN_STALE_MINUTES", 60)
    SCHEDULER_OUTBOX_MINUTES = _int("SCHEDULER_OUTBOX_MINUTES", 5)  # the scheduler retries the outbox this often
    SCHEDULER_MISFIRE_GRACE_SECONDS = _int("SCHEDULER_MISFIRE_GRACE_SECONDS", 3600)

    # Complaints: the council's own response standards (local settings, not statutory time limits),
    # in working days after the complaint is received (bank holidays and the council's own
    # non-working days are not counted), for each stage of its complaints procedure.
    COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_1 = _int("COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_1", 10)
    COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_2 = _int("COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_2", 20)
    COMPLAINT_RESPONSE_WORKING_DAYS_OMBUDSMAN = _int("COMPLAINT_RESPONSE_WORKING_DAYS_OMBUDSMAN", 20)
    # The improvement plan's aim: fewer complaints about communication than this in a month.
    COMPLAINTS_COMMUNICATION_MONTHLY_TARGET = _int("COMPLAINTS_COMMUNICATION_MONTHLY_TARGET", 6)
    # Family feedback: the steps that offer the family a short survey (comma-separated event
    # types: final_plan_issued, review_decision_notified; empty offers none), how many days its
    # emailed link stays usable, and the target share of answers "satisfied" (per cent).
    FEEDBACK_SURVEY_POINTS = os.environ.get("FEEDBACK_SURVEY_POINTS", "final_plan_issued,review_decision_notified")
    FEEDBACK_SURVEY_DAYS = _int("FEEDBACK_SURVEY_DAYS", 28)
    FEEDBACK_SATISFIED_TARGET_PERCENT = _int("FEEDBACK_SATISFIED_TARGET_PERCENT", 80)

    # The JSON API: calls allowed per token (or browser session) in any 60 seconds (api/auth.py).
    API_RATE_LIMIT_PER_MINUTE = _int("API_RATE_LIMIT_PER_MINUTE", 60)

    # SEN2 return header items, used when neither the command's options nor the SEN2 settings page
    # give them (ehc_tracker/sen2/__init__.py: header_settings).
    SEN2_LA_CODE = os.environ.get("SEN2_LA_CODE")
    SEN2_DMO = os.environ.get("SEN2_DMO")
    SEN2_DCO = os.environ.get("SEN2_DCO")
    SEN2_DSCO = os.environ.get("SEN2_DSCO")
    SEN2_SOFTWARE_CODE = os.environ.get("SEN2_SOFTWARE_CODE")
    SEN2_SERIAL_NO = os.environ.get("SEN2_SERIAL_NO")
    # Build the SEN2 export from the page inside the request instead of a background thread.
    SEN2_EXPORT_INLINE = _bool("SEN2_EXPORT_INLINE", False)
    # Moving in from the administrators' page: run the check and the import inside the request
    # instead of a background thread, and the largest file the page accepts (bytes).
    IMPORT_INLINE = _bool("IMPORT_INLINE", False)
    IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 50_000_000)

    # Where the GOV.UK Frontend assets are served from, and rows per page of the paged lists.
    GOVUK_ASSETS_DIR = os.environ.get("GOVUK_ASSETS_DIR", str(BASE_DIR / "ehc_tracker" / "static" / "govuk"))
    PAGE_SIZE = _int("PAGE_SIZE", 25)
    # Audit entries written for requests nobody is signed in to (failed sign-ins of unknown
    # addresses, API calls without a valid token, dead invitation links): at most this many per
    # client address, and in all, within the window; one entry records that a limit was reached.
    AUDIT_ANONYMOUS_MAX_PER_ADDRESS = _int("AUDIT_ANONYMOUS_MAX_PER_ADDRESS", 100)
    AUDIT_ANONYMOUS_MAX_TOTAL = _int("AUDIT_ANONYMOUS_MAX_TOTAL", 2000)
    AUDIT_ANONYMOUS_WINDOW_MINUTES = _int("AUDIT_ANONYMOUS_WINDOW_MINUTES", 15)

    # Documents (see README, "Documents"). Where their bytes are stored: "local" (a folder, by
    # default `documents` in the instance folder) or "s3" (S3-compatible object storage).
    DOCUMENT_STORAGE = os.environ.get("DOCUMENT_STORAGE", "local")
    DOCUMENT_LOCAL_DIR = os.environ.get("DOCUMENT_LOCAL_DIR")  # None: <instance folder>/documents
    # S3: the bucket, an optional key prefix, the endpoint (None: AWS itself) and region; keys not
    # set here come from boto3's usual places (AWS_* variables, the instance's role).
    DOCUMENT_S3_BUCKET = os.environ.get("DOCUMENT_S3_BUCKET")
    DOCUMENT_S3_PREFIX = os.environ.get("DOCUMENT_S3_PREFIX", "")
    DOCUMENT_S3_ENDPOINT_URL = os.environ.get("DOCUMENT_S3_ENDPOINT_URL")
    DOCUMENT_S3_REGION = os.environ.get("DOCUMENT_S3_REGION")
    DOCUMENT_S3_ACCESS_KEY_ID = os.environ.get("DOCUMENT_S3_ACCESS_KEY_ID")
    DOCUMENT_S3_SECRET_ACCESS_KEY = os.environ.get("DOCUMENT_S3_SECRET_ACCESS_KEY")
    # The server-side encryption asked for on every write: AES256, or aws:kms with an optional key.
    DOCUMENT_S3_ENCRYPTION = os.environ.get("DOCUMENT_S3_ENCRYPTION", "AES256")
    DOCUMENT_S3_KMS_KEY_ID = os.environ.get("DOCUMENT_S3_KMS_KEY_ID")
    # The largest document accepted, counted while it arrives (20 MB); the request limit above is
    # raised to fit it on the pages that take a document, and only there.
    DOCUMENT_MAX_BYTES = _int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
    # The ClamAV daemon that scans every upload: a unix socket, or a host and port. Neither set:
    # uploads are not scanned (the upload page says so). Set but unreachable: uploads are refused.
    CLAMAV_SOCKET = os.environ.get("CLAMAV_SOCKET")
    CLAMAV_HOST = os.environ.get("CLAMAV_HOST")
    CLAMAV_PORT = _int("CLAMAV_PORT", 3310)
    CLAMAV_TIMEOUT_SECONDS = _int("CLAMAV_TIMEOUT_SECONDS", 60)
    # How long documents are kept, in years after upload: a default, and overrides per kind as
    # "kind=years,kind=years" (kinds: ehc_tracker/models/document.py). Past it, a document is
    # listed for a manager to confirm its deletion; nothing is deleted without that.
    DOCUMENT_RETENTION_YEARS = _int("DOCUMENT_RETENTION_YEARS", 25)
    DOCUMENT_RETENTION_BY_KIND = os.environ.get("DOCUMENT_RETENTION_BY_KIND", "")

    # Signs sessions and tokens: from SECRET_KEY, never a default (see from_environment).
    SECRET_KEY: str | None = None

    @classmethod
    def load(cls) -> dict[str, object]:
        """Return the settings as a mapping, checking what this environment requires."""
        settings = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
        settings.update(cls.from_environment())
        cls.check(settings)
        return settings

    @classmethod
    def from_environment(cls) -> dict[str, object]:
        found: dict[str, object] = {}
        if os.environ.get("SECRET_KEY"):
            found["SECRET_KEY"] = os.environ["SECRET_KEY"]
        if os.environ.get("DATABASE_URL"):
            found["SQLALCHEMY_DATABASE_URI"] = _database_url(os.environ["DATABASE_URL"])
        return found

    @classmethod
    def check(cls, settings: dict[str, object]) -> None:
        return None


class DevelopmentConfig(Config):
    """Local use on one machine: SQLite in instance/, plain HTTP allowed."""

    ENV_NAME = "development"
    # The demo's letters need a council name (not a secret); COUNCIL_NAME overrides it.
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "") or "Demo Council"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def from_environment(cls) -> dict[str, object]:
        found = super().from_environment()
        found.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{BASE_DIR / 'instance' / 'ehc_tracker.sqlite3'}")
        # A random key per process: sessions end when the server restarts, nothing guessable.
        found.setdefault("SECRET_KEY", secrets.token_hex(32))
        return found


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"
    SEN2_EXPORT_INLINE = _bool("SEN2_EXPORT_INLINE", True)  # the tests wait for the export
    IMPORT_INLINE = _bool("IMPORT_INLINE", True)  # and for the import
    FAMILY_SIGN_IN_CODE = False  # the tests of the code switch it on
    PROFESSIONAL_SIGN_IN_CODE = False

    @classmethod
    def from_environment(cls) -> dict[str, object]:
        found = super().from_environment()
        found.setdefault("SQLALCHEMY_DATABASE_URI", "sqlite://")
        found.setdefault("SECRET_KEY", secrets.token_hex(32))
        return found


class ProductionConfig(Config):
    ENV_NAME = "production"
    # A `__Host-` cookie is sent only over HTTPS, to this host alone, for every path: it cannot be
    # set or overwritten by a sibling subdomain. Browsers insist on Secure, Path=/ and no Domain.
    SESSION_COOKIE_NAME = "__Host-ehc_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls, settings: dict[str, object]) -> None:
        missing = [
            name
            for name, key in (("SECRET_KEY", "SECRET_KEY"), ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"))
            if not settings.get(key)
        ]
        if missing:
            raise ConfigurationError(
                "Production configuration needs these environment variables: " + ", ".join(missing)
            )
        if len(str(settings["SECRET_KEY"])) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters long in production.")
        if str(settings.get("DOCUMENT_STORAGE") or "local").lower() == "s3" and not settings.get("DOCUMENT_S3_BUCKET"):
            raise ConfigurationError("DOCUMENT_STORAGE=s3 needs DOCUMENT_S3_BUCKET.")
        if not _bool("SESSION_COOKIE_SECURE", True):
            raise ConfigurationError(
                "Production serves its session cookie (__Host-ehc_session) over HTTPS only: "
                "unset SESSION_COOKIE_SECURE, or use EHC_ENV=development for plain HTTP."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """The configuration class named by `name` or the EHC_ENV variable (default: production)."""
    name = name or os.environ.get("EHC_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(f"EHC_ENV must be one of {', '.join(CONFIGS)}; got {name!r}.") from None
