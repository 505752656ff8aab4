import pytest
from hypothesis import given
from hypothesis import strategies as st

from weibao.core.stored_secrets import UnreadableSecret, is_protected, protect, reveal


@given(st.text(min_size=1, max_size=120).filter(lambda s: not s.startswith(("env:", "sm4gcm:"))))
def test_any_password_comes_back_as_it_was(plain):
    stored = protect(plain)
    assert is_protected(stored)
    assert reveal(stored) == plain


def test_each_encryption_differs_and_fits_the_column():
    first, second = protect("s3cret"), protect("s3cret")
    assert first != second  # a fresh nonce every time
    assert len(protect("x" * 200)) <= 400  # the form allows 200 characters; the column holds 400


def test_empty_env_references_and_old_plain_values_are_kept_as_they_are(monkeypatch):
    ref = "env:WEIBAO_IMAP_PASSWORD_DESK"
    assert protect("") == "" and protect(ref) == ref
    monkeypatch.setenv("WEIBAO_IMAP_PASSWORD_DESK", "from-the-environment")
    assert reveal(ref) == "from-the-environment"
    assert reveal("env:WEIBAO_IMAP_PASSWORD_NOT_SET_ANYWHERE") == ""
    assert reveal("a-plain-value-stored-before-encryption") == "a-plain-value-stored-before-encryption"
    assert protect(protect("s3cret")).count("sm4gcm:") == 1


@pytest.mark.parametrize("name", ["WEIBAO_SECRET_KEY", "DATABASE_URL", "WEIBAO_EMAIL_PASSWORD", "HOME"])
def test_an_env_reference_never_reads_the_platforms_own_configuration(monkeypatch, name):
    monkeypatch.setenv(name, "platform-secret")
    with pytest.raises(UnreadableSecret, match="WEIBAO_IMAP_PASSWORD_"):
        reveal(f"env:{name}")


def test_a_changed_key_or_an_altered_value_is_refused_by_name(settings):
    stored = protect("s3cret")
    tampered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    with pytest.raises(UnreadableSecret, match="SECRET_KEY"):
        reveal(tampered)
    settings.SECRET_KEY = "another-secret-key-after-a-rotation-0123456789"
    with pytest.raises(UnreadableSecret):
        reveal(stored)
