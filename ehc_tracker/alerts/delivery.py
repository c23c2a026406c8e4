"""Mail backends behind one small interface: `send(email) -> provider reference`.

MAIL_BACKEND chooses: `smtp` (MAIL_SERVER, MAIL_PORT, ...), `console` (prints; the default in
development), `memory` (keeps messages in a list; the tests) or `notify` (GOV.UK Notify, with
NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID). A backend raises DeliveryError when a message did not
go; the outbox decides whether to try again.

A backend's `destination` names the service it hands messages to (`smtp:host:port`, `notify`):
the outbox backs off per destination when that service cannot be reached.
"""

from __future__ import annotations

import re
import smtplib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol, TextIO

from ..services.email_addresses import email_address_problem


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None
    # The outbox's unique key: the Message-ID's left part and Notify's reference.
    reference: str


class DeliveryError(Exception):
    """A message was not delivered.

    `permanent`: trying again will not help (the address was refused), so give up on it.
    `server_unavailable`: the server could not be used at all; stop this pass and try later.
    """

    def __init__(self, message: str, *, permanent: bool = False, server_unavailable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.server_unavailable = server_unavailable


class UnbuildableMessage(DeliveryError):
    """The message cannot be made into an email (an address that is not exactly one address, a
    line break in a header): it never reached a server, and trying again would fail the same way."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


def check_outgoing(email: OutgoingEmail) -> None:
    """Raise UnbuildableMessage unless the message can be built safely: one plain recipient
    address, and no line break or other control character in the subject or the reference
    (either would let one stored message add headers or recipients to the email)."""
    problem = email_address_problem(email.to)
    if problem is not None:
        raise UnbuildableMessage(f"cannot be sent to {email.to!r}: {problem}")
    for name, value in (("subject", email.subject), ("reference", email.reference)):
        if any(ord(char) < 32 or ord(char) == 127 or char in "\u2028\u2029\x85" for char in value):
            raise UnbuildableMessage(f"the {name} contains a line break or control character: {value[:100]!r}")


class MailBackend(Protocol):
    name: str

    def send(self, email: OutgoingEmail) -> str | None: ...


def destination_of(backend: MailBackend) -> str:
    """The service `backend` hands messages to, for the outbox's back-off (its name if it says none)."""
    return str(getattr(backend, "destination", None) or backend.name)[:200]


class SMTPBackend:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        timeout: float = 30,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.use_tls, self.timeout = username, password, use_tls, timeout
        self.destination = f"smtp:{host}:{port}"

    def build(self, email: OutgoingEmail) -> EmailMessage:
        # Headers unfolded up to the RFC 5322 limit: the stdlib would otherwise fold a long
        # subject onto a line of its own, which some clients show with a leading space.
        message = EmailMessage(policy=email_policy.SMTP.clone(max_line_length=998))
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        domain = self.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9-]+", ".", email.reference), domain=domain)
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        return message

    def send(self, email: OutgoingEmail) -> str | None:
        """Three stages, told apart because they call for different responses:

        1. Build the email. A failure is this message's alone (UnbuildableMessage): nothing was sent.
        2. Connect, STARTTLS, log in. A failure is the server's (`server_unavailable`): every
           other message would fail the same way, so the outbox backs off the server.
        3. Hand over this message. A refusal is this message's: permanent for a 5xx answer,
           to be tried again otherwise; the other messages go on.
        """
        check_outgoing(email)
        try:
            message = self.build(email)
        except Exception as error:  # noqa: BLE001  (whatever the email library objects to)
            raise UnbuildableMessage(f"the email could not be built: {type(error).__name__}: {error}") from error
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"mail server unavailable: {error!r}", server_unavailable=True) from error
        try:
            try:
                if self.use_tls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
            except (OSError, smtplib.SMTPException) as error:
                raise DeliveryError(f"mail server unavailable: {error!r}", server_unavailable=True) from error
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                permanent = all(500 <= c < 600 for c in codes)
                raise DeliveryError(f"recipient refused: {error.recipients}", permanent=permanent) from error
            except smtplib.SMTPDataError as error:
                permanent = 500 <= error.smtp_code < 600
                raise DeliveryError(
                    f"message refused: {error.smtp_code} {error.smtp_error!r}", permanent=permanent
                ) from error
            except smtplib.SMTPSenderRefused as error:
                # MAIL_DEFAULT_SENDER refused: every message would be, so this is the server's problem.
                refused = f"mail server refused the sender: {error.smtp_code} {error.smtp_error!r}"
                raise DeliveryError(refused, server_unavailable=True) from error
            except (OSError, smtplib.SMTPException) as error:
                # Disconnected or timed out while this message was handed over: try it again later.
                raise DeliveryError(f"message not accepted: {error!r}") from error
        finally:
            _close_quietly(smtp)
        return str(message["Message-ID"])


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT, or drop the connection: once a message is accepted, nothing here may undo that."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class ConsoleBackend:
    """Prints each message instead of sending it: for development."""

    name = "console"
    destination = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, email: OutgoingEmail) -> str | None:
        out = self.stream or sys.stdout
        out.write(f"----- email to {email.to}\nSubject: {email.subject}\n\n{email.text}\n----- end of email\n")
        out.flush()
        return f"console:{email.reference}"


@dataclass
class MemoryBackend:
    """Keeps messages in `sent`; `fail_with` makes every send raise (for tests)."""

    name: str = "memory"
    sent: list[OutgoingEmail] = field(default_factory=list)
    fail_with: DeliveryError | None = None
    destination: str = "memory"

    def send(self, email: OutgoingEmail) -> str | None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(email)
        return f"memory:{len(self.sent)}"


class NotifyBackend:
    """GOV.UK Notify: one email template whose subject is ((subject)) and body ((body))."""

    name = "notify"
    destination = "notify"

    def __init__(self, *, api_key: str, template_id: str, client: Any = None) -> None:
        if client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            client = NotificationsAPIClient(api_key)
        self.client = client
        self.template_id = template_id

    def send(self, email: OutgoingEmail) -> str | None:
        from notifications_python_client.errors import APIError
        from requests import RequestException

        try:
            response = self.client.send_email_notification(
                email_address=email.to,
                template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.text},
                reference=email.reference,
            )
        except APIError as error:
            status = error.status_code
            if status == 400:
                raise DeliveryError(f"Notify refused the message: {error}", permanent=True) from error
            raise DeliveryError(f"Notify unavailable: {error}", server_unavailable=True) from error
        except RequestException as error:
            raise DeliveryError(f"Notify unreachable: {error!r}", server_unavailable=True) from error
        return str(response.get("id")) if isinstance(response, dict) else None


class ConfigurationProblem(RuntimeError):
    pass


def backend_from_config(config: Mapping[str, Any], extensions: dict[str, Any]) -> MailBackend:
    """The backend MAIL_BACKEND names. The memory backend is kept per app, so tests can read it."""
    name = str(config.get("MAIL_BACKEND") or "console").lower()
    if name == "smtp":
        return SMTPBackend(
            host=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            sender=config["MAIL_DEFAULT_SENDER"],
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            timeout=float(config.get("MAIL_TIMEOUT_SECONDS", 30)),
        )
    if name == "console":
        return ConsoleBackend()
    if name == "memory":
        backend = extensions.setdefault("ehc_memory_mail", MemoryBackend())
        assert isinstance(backend, MemoryBackend)
        return backend
    if name == "notify":
        if not config.get("NOTIFY_API_KEY") or not config.get("NOTIFY_TEMPLATE_ID"):
            raise ConfigurationProblem("MAIL_BACKEND=notify needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID.")
        return NotifyBackend(api_key=config["NOTIFY_API_KEY"], template_id=config["NOTIFY_TEMPLATE_ID"])
    raise ConfigurationProblem(f"MAIL_BACKEND must be smtp, console, memory or notify; got {name!r}.")


def current_backend() -> MailBackend:
    from flask import current_app

    return backend_from_config(current_app.config, current_app.extensions)
