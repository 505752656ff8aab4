"""Homophone and look-alike typos read as the index's words (issue 18)."""

from weibao.knowledge.pinyin import Corrector

VOCABULARY = [("公积金", 5), ("营业执照", 3), ("执照", 4), ("实名", 3), ("申领", 4), ("提取", 3),
              ("注销账号", 2), ("注册", 3), ("账号", 5), ("发布", 2), ("不齐", 1)]


def test_pinyin_input_typos_are_read_as_words_of_the_index():
    corrector = Corrector(VOCABULARY)
    assert corrector.correct("公基金买房提去")[0] == "公积金买房提取"
    assert corrector.correct("营业只照怎么办") == ("营业执照怎么办", [("营业只照", "营业执照")])
    assert corrector.correct("实铭认证")[1] == [("实铭", "实名")]


def test_a_look_alike_character_in_a_long_word_is_read_as_the_word():
    assert Corrector(VOCABULARY).correct("营业执煦")[0] == "营业执照"


def test_real_words_are_never_corrected():
    corrector = Corrector(VOCABULARY)
    assert corrector.correct("香港居民能注册账号吗")[1] == []  # not 注销账号
    assert corrector.correct("密码想不起来了")[1] == []  # 不起 is inside 想不起来, not 不齐
    assert corrector.correct("我想开个小卖部")[1] == []
