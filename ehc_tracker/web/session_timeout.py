"""The idle timeout (WCAG 2.2.1): how long a session may sit unused, when the warning comes, and
where a person signed out by it is sent so that signing in again takes them back.

The server is the judge: a request that comes more than the idle timeout after the last one
ends the session (web/security.py). The page's timeout warning (static/session-timeout.js)
counts down the same figures, offers "Stay signed in" (the keep-alive endpoint in auth/routes.py)
and, when the time is up, keeps what was typed in the browser tab and goes to the sign-in page
with `next` set to the page the person was on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import jsonify, redirect, request, url_for

KEEP_ALIVE_ENDPOINT = "auth.keep_alive"


def idle_timeout_seconds(config: Mapping[str, Any]) -> int:
    """Seconds without a request after which the session ends."""
    seconds = config.get("IDLE_TIMEOUT_SECONDS")
    if seconds:
        return int(seconds)
    return int(config["IDLE_TIMEOUT_MINUTES"]) * 60


def warning_seconds(config: Mapping[str, Any]) -> int:
    """Seconds before the idle timeout that the warning appears (never more than the timeout)."""
    return max(0, min(int(config.get("IDLE_WARNING_SECONDS", 120)), idle_timeout_seconds(config)))


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, otherwise None.

    Refused: anything with a scheme or host, protocol-relative `//host`, and the forms browsers
    turn into one (`/\\host`, or a tab or newline between the slashes), any control character.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def return_path() -> str | None:
    """Where to come back to after signing in: the page asked for (GET), or for a form sent after
    the session ended, the page the form was on (its same-site referrer)."""
    if request.method == "GET":
        return safe_next(request.full_path.rstrip("?") or "/")
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def signed_out_response() -> Any:
    """The answer to a request that needs a session and has none (or one that timed out): the
    keep-alive call gets JSON it can act on; a page goes to sign-in, remembering where it was."""
    if request.endpoint == KEEP_ALIVE_ENDPOINT:
        response = jsonify(signed_in=False, sign_in_url=url_for("auth.sign_in"))
        response.status_code = 401
        return response
    return redirect(url_for("auth.sign_in", next=return_path()))
