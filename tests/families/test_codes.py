import re

from homecoming.families import codes


def test_references_are_random_and_well_formed():
    refs = {codes.new_reference() for _ in range(200)}
    assert len(refs) == 200
    for ref in refs:
        assert re.fullmatch(r"INQ-[2-9A-HJ-KM-NP-Z]{4}-[2-9A-HJ-KM-NP-Z]{2}", ref), ref
        assert codes.normalize_reference(ref.lower().replace("-", " ")) == ref


def test_secret_has_four_groups_of_an_unambiguous_alphabet():
    secret = codes.new_secret()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", secret)
    assert not set(secret.replace("-", "")) & set("01OIL")


def test_bad_references_normalise_to_nothing():
    for text in ("", "INQ-", "INQ-0000-00", "HC-000123", "INQ-7K3M-Q9X", "<script>"):
        assert codes.normalize_reference(text) == ""


def test_hash_is_salted_and_checks_the_code_only(settings):
    secret = codes.new_secret()
    h1, h2 = codes.hash_secret(secret), codes.hash_secret(secret)
    assert h1 != h2  # salted
    assert secret not in h1 and secret.replace("-", "") not in h1
    assert codes.verify_secret(secret.lower().replace("-", " "), h1)
    assert not codes.verify_secret("AAAA-BBBB-CCCC-DDDD", h1)
    assert not codes.verify_secret(secret, None)  # the dummy hash never matches


def test_codes_have_their_own_cheap_hasher_not_the_password_hasher(settings):
    """Argon2 (the password hasher) on every portal look-up would let a few requests a second
    take the server's CPU; a 79-bit random code needs no slow hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = codes.hash_secret(codes.new_secret())
    assert encoded.startswith("pbkdf2_sha256_code$2000$")
    assert codes.dummy_hash().startswith("pbkdf2_sha256_code$")


def test_a_hash_with_fewer_iterations_is_replaced_after_a_right_code_only():
    secret = codes.new_secret()
    weak = codes.SecretCodeHasher()
    weak.iterations = 10
    encoded = weak.encode(codes.normalize_secret(secret), weak.salt())
    seen = []
    assert not codes.verify_secret("AAAA-BBBB-CCCC-DDDD", encoded, setter=seen.append)
    assert seen == []
    assert codes.verify_secret(secret, encoded, setter=seen.append)
    assert seen == [secret]
