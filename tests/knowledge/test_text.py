from weibao.knowledge.ranking import SynonymTable, parse_query
from weibao.knowledge.text import bigrams, default_synonym_groups, words


def test_government_service_terms_stay_whole_words():
    assert "u盾" in words("我的U盾插上没反应")
    assert "统一身份认证" in words("统一身份认证平台登录")
    assert "电子营业执照" in words("下载电子营业执照")


def test_full_width_and_upper_case_letters_are_the_same_word():
    assert words("ＵＫＥＹ") == words("ukey")


def test_question_words_are_not_search_words():
    assert "怎么办" not in words("密码忘了怎么办")
    assert "如何" not in words("如何重置密码")


def test_bigrams_cover_unknown_words_piece_by_piece():
    assert bigrams("电子证照") == ["电子", "子证", "证照"]


def test_colloquial_words_expand_to_the_official_ones():
    table = SynonymTable(default_synonym_groups())
    query = parse_query("U盾登不上", table)
    groups = [set(members) for members, _ in query.concepts]
    assert any({"u盾", "数字证书", "ca证书"} <= group for group in groups)
    assert any({"登不上", "无法登录", "登录失败"} <= group for group in groups)


def test_synonym_groups_sharing_a_word_are_joined():
    table = SynonymTable([["社保卡", "社会保障卡"], ["社会保障卡", "医保卡"]])
    assert set(table.expand("社保卡")) == {"社保卡", "社会保障卡", "医保卡"}
