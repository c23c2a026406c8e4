"""The secrets in emailed links (a family's or a professional's invitation, a feedback survey).

The link carries a random token; the database keeps only its SHA-256, so a copy of the database
opens no link. A token is looked up by its hash.
"""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    """What the database keeps of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token for a link (256 bits, URL-safe) and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
