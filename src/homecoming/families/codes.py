"""References and secret codes of inquiries.

A reference (``INQ-7K3M-Q9``) names an inquiry; it is random, not sequential, so that one
reference says nothing about another. The secret code (``4 groups of 4``, about 79 bits) is
shown to the family once; only its salted hash is stored. Both use an alphabet without look-alike
characters (no 0/O, 1/I/L).

Why the codes have their own hasher, and not the password hasher (Argon2, about 100 MB and
0.1-0.8 s of CPU per check): a slow hash protects *chosen* passwords, which are guessable. A code
is 16 random characters of a 31-letter alphabet, about 79 bits: even a fast hash of it cannot be
brute-forced (2**79 SHA-256 guesses at 10**10 a second take over a million years), and on-line
guessing is stopped by the portal's lock-outs. Argon2 on every portal look-up would instead let a
few requests a second take the server's CPU, and keep the portal's answer far over 100 ms.
Hashes made before (by the password hasher) are still checked, and replaced after the next right
code.
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password

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


class SecretCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with few iterations (a millisecond or two): enough for a 79-bit random code."""

    algorithm = "pbkdf2_sha256_code"
    iterations = 2_000


HASHER = SecretCodeHasher()


def hash_secret(secret: str) -> str:
    return HASHER.encode(normalize_secret(secret), HASHER.salt())


def dummy_hash() -> str:
    """A hash made the same way as real ones, checked when the reference is unknown so that an
    unknown reference costs the same time as a wrong code."""
    key = f"{HASHER.algorithm}${HASHER.iterations}"
    if key not in _dummy_hash:
        _dummy_hash[key] = hash_secret(secrets.token_urlsafe(16))
    return _dummy_hash[key]


def verify_secret(secret: str, encoded: str | None, setter=None) -> bool:
    """Always runs the check, against the dummy hash when there is no inquiry. ``setter``
    receives the code when its hash was made otherwise (the password hasher of older versions,
    or fewer iterations), to store a new hash."""
    candidate = normalize_secret(secret)
    if encoded is None:
        HASHER.verify(candidate, dummy_hash())
        return False
    if encoded.startswith(HASHER.algorithm + "$"):
        ok = HASHER.verify(candidate, encoded)
        if ok and setter is not None and HASHER.must_update(encoded):
            setter(secret)
        return ok
    # A hash from before the codes had their own hasher: Django's password hashers check it.
    ok = check_password(candidate, encoded)
    if ok and setter is not None:
        setter(secret)
    return ok
