from weibao.knowledge import text
from weibao.knowledge.ranking import SynonymTable, applicant_kinds, parse_query
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


def test_domain_words_are_not_cut_into_characters():
    # With a small fixed frequency jieba cut 法人 into 法/人 and 上传 into 上/传.
    assert "法人" in words("法人（企业）账号注销")
    assert "上传" in words("附件上传失败")
    assert "到期" in words("CA数字证书到期续期办理")


def _concepts(question, groups=None):
    table = SynonymTable(groups if groups is not None else default_synonym_groups())
    return {members: weight for members, weight in parse_query(question, table).concepts}


def test_synonym_phrases_are_read_leftmost_longest():
    concepts = _concepts("多缴的费用能退吗")
    assert any("重复缴费" in members for members in concepts)  # 多缴, not 缴费
    assert not any("缴费" in members for members in concepts)


def test_a_synonym_is_not_taken_from_the_middle_of_a_longer_word():
    table = SynonymTable([["续费", "续期"]])
    phrases, _ = table.find_phrases("手续费多少", {0, 3, 4})  # 手续费/多少
    assert phrases == []
    phrases, _ = table.find_phrases("证书续费", {0, 2})
    assert phrases == ["续费"]


def test_x_de_y_is_read_as_the_phrase_xy():
    concepts = _concepts("U盾的密码输错了")
    assert any("pin码" in members for members in concepts)


def test_a_one_character_synonym_counts_only_as_a_word_of_its_own():
    table = SynonymTable([["续期", "续"]])
    phrases, rest = table.find_phrases("手续")
    assert phrases == [] and rest == "手续"
    assert ("续期", "续") in _concepts("证书要续吗", [["续期", "续"]])


def test_a_lone_character_counts_half():
    concepts = _concepts("看一下进度")
    assert concepts[("看",)] == 0.5
    assert max(concepts.values()) == 1.0


def test_the_kind_of_applicant_a_question_names():
    # The first qualifier set is 个人 | 法人 (data/qualifiers.txt).
    assert applicant_kinds("公司的账号密码忘了")[0] == 1
    assert applicant_kinds("我自己的登录口令记不得了")[0] == 0
    assert applicant_kinds("登录密码忘了")[0] == -1
    assert applicant_kinds("我自己公司的密码")[0] == -1  # both: no preference


def test_a_negated_qualifier_names_the_other_kind_and_is_no_search_word():
    from weibao.knowledge.ranking import question_kinds

    kinds, spans = question_kinds("我想开个小店，不是开公司，办个执照")
    assert kinds[0] == 0  # 个人, not 法人
    assert [("我想开个小店，不是开公司，办个执照")[a:b] for a, b in spans] == ["公司"]
    local = text.qualifier_sets().index(next(s for s in text.qualifier_sets() if "本地户籍" in s[0]))
    assert question_kinds("非本市户籍在这里补办身份证")[0][local] == 1  # 非本市户籍 is one word
    assert question_kinds("不是本地户口的怎么办")[0][local] == 1
    assert question_kinds("本地户籍身份证丢了")[0][local] == 0


def test_filler_words_of_a_long_question_count_little():
    query = parse_query("真的烦死了听说公积金可以取出来", SynonymTable(text.default_synonym_groups()))
    weights = {members[0]: weight for members, weight in query.concepts}
    assert weights["烦死"] < 0.5
    assert weights["公积金"] == 1.0
