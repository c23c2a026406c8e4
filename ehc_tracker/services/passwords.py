"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Verified against when the email matches no account, so that a wrong email and a wrong
# password take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, *, min_length: int, email: str = "") -> list[str]:
    """Plain-English reasons a new password is not acceptable (empty when it is)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"Password must be {min_length} characters or more")
    elif email and password.strip().lower() == email.strip().lower():
        problems.append("Password must not be your email address")
    elif len(set(password)) < 4:
        problems.append("Password must not be one or two characters repeated")
    return problems
