from weibao.core.masking import mask_id_number, mask_phone, mask_text


def test_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812348000") == "138****8000"
    assert mask_phone("+8613812348000") == "+86138****8000"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*2345"


def test_id_number_keeps_region_and_last_four():
    assert mask_id_number("11010119900307123X") == "110101********123X"


def test_free_text_is_masked():
    text = "请联系 13812348000，身份证 110101199003071234。"
    assert mask_text(text) == "请联系 138****8000，身份证 110101********1234。"
