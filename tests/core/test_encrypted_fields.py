"""The encryption of personal data at rest: SM4-GCM per value with a fresh nonce, the key's
id in the stored value, retired keys still readable, keyed hashes for exact search."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError

from weibao.core import encrypted_fields as ef
from weibao.servicedesk.models import Ticket

KEY_A = "a" * 40
KEY_B = "b" * 40


def test_a_value_round_trips_and_is_never_stored_twice_the_same(settings):
    settings.WEIBAO_DATA_KEY = KEY_A
    first, second = ef.encrypt("13912345678"), ef.encrypt("13912345678")
    assert first != second  # a random nonce per value: equal phones do not look equal
    assert "13912345678" not in first
    assert ef.decrypt(first) == ef.decrypt(second) == "13912345678"
    assert ef.key_id_of(first) == ef.current_key().key_id


def test_a_value_under_a_retired_key_still_decrypts_and_an_unknown_key_is_refused(settings):
    settings.WEIBAO_DATA_KEY = KEY_A
    stored = ef.encrypt("张三")
    settings.WEIBAO_DATA_KEY, settings.WEIBAO_DATA_KEYS_OLD = KEY_B, [KEY_A]
    assert ef.decrypt(stored) == "张三"
    settings.WEIBAO_DATA_KEYS_OLD = []
    with pytest.raises(ef.UnreadablePersonalData):
        ef.decrypt(stored)


def test_an_altered_value_or_a_forged_key_id_is_refused(settings):
    settings.WEIBAO_DATA_KEY = KEY_A
    stored = ef.encrypt("13912345678")
    tampered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    with pytest.raises(ef.UnreadablePersonalData):
        ef.decrypt(tampered)
    settings.WEIBAO_DATA_KEYS_OLD = [KEY_B]
    other_id = ef._derive(KEY_B).key_id
    with pytest.raises(ef.UnreadablePersonalData):
        ef.decrypt(stored.replace(ef.current_key().key_id, other_id, 1))


def test_empty_and_clear_legacy_values_are_read_as_they_are():
    assert ef.encrypt("") == ""
    assert ef.decrypt("") == ""
    assert ef.decrypt(None) is None
    assert ef.decrypt("13912345678") == "13912345678"


def test_hashes_normalise_what_is_typed_and_depend_on_the_key(settings):
    settings.WEIBAO_DATA_KEY = KEY_A
    assert ef.keyed_hash("phone", "139-1234-5678") == ef.keyed_hash("phone", "13912345678")
    assert ef.keyed_hash("id_number", "11010119900307123x") == ef.keyed_hash("id_number", "11010119900307123X")
    assert ef.keyed_hash("email", " Zhang@Example.com ") == ef.keyed_hash("email", "zhang@example.com")
    # The same digits as a phone and as an ID number are different searches.
    assert ef.keyed_hash("phone", "13912345678") != ef.keyed_hash("id_number", "13912345678")
    assert ef.keyed_hash("phone", "") == ""
    under_a = ef.keyed_hash("phone", "13912345678")
    settings.WEIBAO_DATA_KEY, settings.WEIBAO_DATA_KEYS_OLD = KEY_B, [KEY_A]
    assert ef.keyed_hash("phone", "13912345678") != under_a
    # While a rotation runs, a search looks under both keys.
    assert under_a in ef.search_hashes("phone", "13912345678")


def test_a_filter_that_cannot_work_on_ciphertext_is_refused_not_silently_empty(db):
    with pytest.raises(FieldError):
        list(Ticket.objects.filter(requester_phone="13912345678"))
    with pytest.raises(FieldError):
        list(Ticket.objects.filter(requester_name__icontains="张"))
    # Blank stays blank: "who left no phone" still works.
    assert list(Ticket.objects.filter(requester_phone="")) == []
    assert list(Ticket.objects.exclude(requester_phone="")) == []


def test_production_refuses_to_start_without_a_data_key_of_32_characters():
    import subprocess
    import sys
    from pathlib import Path

    import weibao

    env = {"PYTHONPATH": str(Path(weibao.__file__).parent.parent), "WEIBAO_MODE": "production", "WEIBAO_SECRET_KEY": "s" * 60, "WEIBAO_AUDIT_KEY": "k" * 40,
           "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "weibao.settings"}
    code = "import django; django.setup()"
    missing = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "WEIBAO_DATA_KEY is not set" in missing.stderr
    short = subprocess.run([sys.executable, "-c", code], env=env | {"WEIBAO_DATA_KEY": "short"},
                           capture_output=True, text=True)
    assert "WEIBAO_DATA_KEY must be at least 32 characters" in short.stderr
