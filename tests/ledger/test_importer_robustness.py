"""The importer reads whatever it is given without raising: a draft with what it found."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ledger.conftest import CONTRACTS
from weibao.ledger.importer.draft import build_draft

SEED = (CONTRACTS / "seed" / "seed_htdz202602135.txt").read_text(encoding="utf-8")
CONTRACT_CHARS = st.sampled_from(list("一二三四五六七八九十百千万亿零两壹贰叁肆伍陆柒捌玖拾佰仟元整角分年月日天个工作"
                                      "0123456789.,:：，。；%‰（）()、第条甲乙方合同金额违约金每日不超过续签次驻场人名\n "))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=CONTRACT_CHARS, max_size=400))
def test_contract_like_noise_never_raises(text):
    draft = build_draft(text)
    assert isinstance(draft["unrecognised"], list)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(SEED) - 1), st.integers(min_value=1, max_value=400))
def test_a_damaged_seed_never_raises(start, length):
    build_draft(SEED[:start] + SEED[start + length:])


def test_an_empty_draft_has_every_key():
    draft = build_draft("甲方乙方合同")
    for key in ("number", "name", "amount", "amount_in_words", "amount_words_match", "start", "end", "party_a",
                "party_b", "advance_ratio", "instalments", "penalties", "remedy_working_days", "force_majeure_days",
                "max_renewals", "max_total_years", "renewal_window_days", "min_resident_staff", "sources",
                "unrecognised"):
        assert key in draft
