"""References and secret codes of inquiries.

A reference (``INQ-7K3M-Q9``) names an inquiry; it is random, not sequential, so that one
reference says nothing about another. The secret code (``4 groups of 4``, about 79 bits) is
shown to the family once; only its hash is stored, made by Django's configured password hasher
(Argon2 in production). Both use an alphabet without look-alike characters (no 0/O, 1/I/L).
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.hashers import check_password, make_password

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "INQ-"
_REFERENCE_RE = re.compile(rf"^INQ([{ALPHABET}]{{6}})$")
SECRET_LENGTH = 16

_dummy_hash: dict[str, str] = {}


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{REFERENCE_PREFIX}{body[:4]}-{body[4:]}"


def new_secret() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, SECRET_LENGTH, 4))


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_.]", "", (text or "").upper())


def normalize_reference(text: str) -> str:
    """What the family typed -> ``INQ-XXXX-XX``, or ``""`` when it cannot be a reference."""
    compact = _compact(text)
    if not compact.startswith("INQ"):
        compact = "INQ" + compact
    m = _REFERENCE_RE.match(compact)
    if not m:
        return ""
    body = m.group(1)
    return f"{REFERENCE_PREFIX}{body[:4]}-{body[4:]}"


def normalize_secret(text: str) -> str:
    """Spaces, dashes and letter case do not matter when the family types the code."""
    return _compact(text)[:64]


def hash_secret(secret: str) -> str:
    return make_password(normalize_secret(secret))


def dummy_hash() -> str:
    """A hash made the same way as real ones, checked when the reference is unknown so that an
    unknown reference costs the same time as a wrong code."""
    from django.contrib.auth.hashers import get_hasher

    algorithm = get_hasher().algorithm
    if algorithm not in _dummy_hash:
        _dummy_hash[algorithm] = make_password(secrets.token_urlsafe(16))
    return _dummy_hash[algorithm]


def verify_secret(secret: str, encoded: str | None, setter=None) -> bool:
    """Always runs the (slow) check, against the dummy hash when there is no inquiry. ``setter``
    receives the code when its hash was made with older hasher settings, to store a new hash."""
    candidate = normalize_secret(secret)
    if encoded is None:
        check_password(candidate, dummy_hash())
        return False
    return check_password(candidate, encoded, setter=setter)
