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
