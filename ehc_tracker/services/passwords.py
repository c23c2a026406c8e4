"""Password hashing with argon2id (argon2-cffi's recommended parameters), and the rules for new passwords."""

from __future__ import annotations

import re
from collections.abc import Sequence

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

# New passwords are capped (a passphrase needs far fewer; PASSWORD_MAX_LENGTH can change it).
MAX_LENGTH = 128
# zxcvbn's score from 0 to 4; 3 and up means at least 10^8 guesses.
MIN_GUESSABILITY_SCORE = 3
_ZXCVBN_MAX_LENGTH = 256

# Verified against when the email matches no account, so that a wrong email and a wrong
# password take the same time.
_DUMMY_TEXT = "not a real password, only here to spend the same time"
_DUMMY_HASH = _hasher.hash(_DUMMY_TEXT)


def use_cheapest_hashing_for_tests() -> None:
    """Hash with argon2's cheapest parameters from now on, in this process. Only the test suite calls
    this: thousands of test accounts at full cost would spend minutes. Hashes made before or after
    still verify, since each hash carries its own parameters."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    _DUMMY_HASH = _hasher.hash(_DUMMY_TEXT)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def too_easy_to_guess(password: str, *, user_inputs: Sequence[str] = ()) -> bool:
    """True for a common password, or one built on a pattern seen in breaches.

    zxcvbn checks the password against the lists it ships (about 30,000 passwords from breach
    corpora, plus common names and English words) and against the patterns people use: keyboard
    walks, sequences, repeats, dates, l33t substitutions and a word with digits tacked on. No
    network is used. A score under 3 means fewer than 10^8 guesses would find it.
    """
    inputs = [value.lower() for value in user_inputs if value]
    inputs += [part for value in inputs for part in re.split(r"[^\w]+", value) if len(part) > 2]
    checked = password[:_ZXCVBN_MAX_LENGTH]  # its matching grows faster than the length: bound the work
    result = zxcvbn(checked, user_inputs=inputs, max_length=max(len(checked), 1))
    return int(result["score"]) < MIN_GUESSABILITY_SCORE


def password_problems(
    password: str,
    *,
    min_length: int,
    email: str = "",
    name: str = "",
    max_length: int = MAX_LENGTH,
) -> list[str]:
    """Plain-English reasons a new password is not acceptable (empty when it is)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"Password must be {min_length} characters or more")
    elif len(password) > max_length:
        problems.append(f"Password must be {max_length} characters or fewer")
    elif email and password.strip().lower() == email.strip().lower():
        problems.append("Password must not be your email address")
    elif len(set(password)) < 4:
        problems.append("Password must not be one or two characters repeated")
    elif too_easy_to_guess(password, user_inputs=[email, name]):
        problems.append(
            "Password is too easy to guess: it is a common password or follows a common pattern. "
            "Choose 3 or 4 unrelated words instead"
        )
    return problems
