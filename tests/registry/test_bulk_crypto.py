"""The import's bulk SM4/HMAC-SM3 must write exactly what the model field and the services
read back: the same format as regulus.core.crypto."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from regulus.core.crypto import ENCRYPTED_PREFIX, keyed_hash, sm4_decrypt
from regulus.registry.rules import BulkCrypto, fast_id_number, fast_uscc


def _decrypt(stored: str) -> str:
    assert stored.startswith(ENCRYPTED_PREFIX)
    return sm4_decrypt(stored[len(ENCRYPTED_PREFIX) :])


@given(st.lists(st.text(max_size=40), max_size=30))
def test_encrypt_many_decrypts_to_each_value_and_keeps_empty_values_empty(values):
    crypto = BulkCrypto()
    stored = crypto.encrypt_many(values)
    assert len(stored) == len(values)
    for value, secret in zip(values, stored, strict=True):
        assert (secret == "") if value == "" else (_decrypt(secret) == value)


def test_encrypt_many_uses_a_fresh_iv_for_every_value():
    stored = BulkCrypto().encrypt_many(["430102199001011234"] * 3)
    assert len(set(stored)) == 3


def test_bulk_keyed_hash_equals_the_services_keyed_hash():
    assert BulkCrypto().keyed_hash("430102199001011234") == keyed_hash("430102199001011234")


_ORG_BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@given(_ORG_BODY, st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"))
def test_fast_uscc_agrees_with_the_full_validator(body, wrong_check):
    import pytest
    from django.core.exceptions import ValidationError

    from regulus.core import ids

    code = ids.make_uscc("9", "1", "430102", ids.make_org_code(body.replace("I", "1")[:8]))
    assert fast_uscc(code.lower()) == ids.validate_uscc(code) == code
    if wrong_check != code[17]:
        with pytest.raises(ValidationError):
            fast_uscc(code[:17] + wrong_check)


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 1, 1)), st.integers(0, 999))
def test_fast_id_number_agrees_with_the_full_validator(birth, serial):
    import pytest
    from django.core.exceptions import ValidationError

    from regulus.core import ids

    body = f"430102{birth:%Y%m%d}{serial:03d}"
    number = body + ids._id_check_digit(body)
    today = dt.date(2026, 11, 26)
    assert fast_id_number(number, today) == ids.validate_id_number(number, today=today)
    wrong = "0" if number[17] != "0" else "1"
    with pytest.raises(ValidationError):
        fast_id_number(body + wrong, today)
