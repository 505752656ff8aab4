"""Field extractors on single wordings real contracts use."""

from weibao.ledger.importer.draft import build_draft


def _draft(*lines):
    return build_draft("\n".join(lines))


def test_party_names_drop_the_short_name_and_spaced_labels_are_read():
    draft = _draft("甲    方：某县行政审批服务局（以下简称“甲方”）", "乙 方：某某信息技术有限公司（以下简称乙方）")
    assert draft["party_a"] == "某县行政审批服务局"
    assert draft["party_b"] == "某某信息技术有限公司"


def test_an_amount_with_its_tax_rate_is_still_the_amount():
    draft = _draft("一、合同金额", "合同总价为人民币1,370,000.00元（含6%增值税），大写：壹佰叁拾柒万元整。")
    assert (draft["amount"], draft["amount_words_match"]) == ("1370000.00", True)


def test_upper_case_written_first_with_a_lower_case_label():
    draft = _draft("合同总价：人民币（大写）叁拾陆万元整（小写：360000.00）。")
    assert (draft["amount"], draft["amount_in_words"], draft["amount_words_match"]) == ("360000.00", "叁拾陆万元整", True)


def test_a_disagreeing_upper_case_amount_is_flagged():
    draft = _draft("合同金额：1,250,000.00元（大写：壹佰贰拾伍万伍仟元整）。")
    assert draft["amount_words_match"] is False
    assert any("不一致" in w for w in draft["warnings"])


def test_instalments_written_as_money_are_shares_of_the_total():
    draft = _draft(
        "一、合同金额", "合同金额：1053000.00元。", "二、付款方式",
        "1. 合同签订后15日内支付首期款人民币421200.00元；", "2. 服务期满验收合格后支付尾款人民币631800.00元。",
    )
    assert [i["ratio"] for i in draft["instalments"]] == ["0.40", "0.60"]
    assert draft["advance_ratio"] == "0.40"


def test_a_termination_threshold_is_not_a_penalty_rate():
    draft = _draft("六、违约责任", "1. 违约金累计达到合同总价的10%时，甲方有权解除合同。")
    assert draft["penalties"] == []


def test_per_day_penalty_on_the_amount_due_with_a_cap():
    draft = _draft("九、违约责任", "甲方逾期付款的，每逾期一日按应付未付款项的万分之二支付违约金，但累计不超过应付未付款项的5%。")
    assert [(p["base"], p["rate"], p["per"], p["cap"]) for p in draft["penalties"]] == [
        ("amount_due", "0.0002", "day", "0.05")]


def test_a_term_counted_from_signing_takes_the_signing_date():
    draft = _draft("三、服务期限", "服务期三年，自合同签订之日起。", "四、其他", "本合同一式两份。", "签订日期：2026年1月15日")
    assert (draft["start"], draft["end"]) == ("2026-01-15", "2029-01-14")
    assert any("签订之日" in w for w in draft["warnings"])


def test_an_unlabelled_signature_date_at_the_end_is_the_signing_date():
    draft = _draft("甲方：某局", "乙方：某公司", "一、金额", "合同金额100000元。", "二〇二六年二月二日")
    assert draft["signed_on"] == "2026-02-02"


def test_renewal_window_in_months_is_converted_with_a_warning():
    draft = _draft("八、续签", "本合同期满前一个月内，经考核合格，双方可协商续签，续签次数以一次为限。")
    assert (draft["renewal_window_days"], draft["max_renewals"]) == (30, 1)
    assert "按每月30天折算" in draft["warnings"]
