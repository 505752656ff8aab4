"""The masking service for every kind of personal data, and the ID-number check digit."""

from hypothesis import given
from hypothesis import strategies as st

from weibao.core.masking import (
    id_check_digit,
    is_valid_id_number,
    mask,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)

seventeen = st.text(alphabet="0123456789", min_size=17, max_size=17)


def test_known_id_numbers():
    # The GB 11643-1999 worked example and a check character X.
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")
    assert is_valid_id_number("440524188001010014")
    assert not is_valid_id_number("110105194912310021")
    assert not is_valid_id_number("11010519491231002")
    assert not is_valid_id_number("1101051949123100AX")
    assert not is_valid_id_number(None)


@given(seventeen)
def test_the_check_digit_makes_a_valid_number(first17):
    assert is_valid_id_number(first17 + id_check_digit(first17))


@given(seventeen, st.sampled_from("0123456789X"))
def test_exactly_one_check_character_is_valid(first17, check):
    assert is_valid_id_number(first17 + check) == (check == id_check_digit(first17))


@given(seventeen, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_a_single_wrong_digit_is_caught(first17, position, delta):
    number = first17 + id_check_digit(first17)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1:]
    assert not is_valid_id_number(changed)


@given(seventeen)
def test_id_numbers_show_first_six_and_last_four(first17):
    number = first17 + id_check_digit(first17)
    masked = mask_id_number(number)
    assert masked == number[:6] + "********" + number[-4:]
    assert len(masked) == 18


def test_each_kind():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修文") == "欧***"
    assert mask_name("张") == "张*"
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("not-an-email") == "n***********"
    assert mask_address("北京市东城区东直门南大街5号") == "北京市东城区****"
    assert mask_address("浙江省杭州市西湖区文三路90号") == "浙江省杭州市西湖区****"
    assert mask_address("云南省大理白族自治州宾川县金牛镇") == "云南省大理白族自治州宾川县****"
    assert mask_address("某地某路1号") == "某地某****"
    assert mask("phone", "13812345678") == "138****5678"
    for kind in ("phone", "id_number", "name", "email", "address"):
        assert mask(kind, "") == "" and mask(kind, None) == ""


@given(st.text(min_size=2, max_size=40))
def test_a_mask_never_returns_the_value(value):
    for kind in ("name", "email", "address"):
        assert mask(kind, value) != value.strip() or len(value.strip()) == 0
