"""Importing the seed contract fills every field correctly, each with its source sentence."""

import pytest

from weibao.ledger.importer.draft import build_draft

EXPECTED = {
    "number": ("HTDZ202602135", "合同编号：HTDZ202602135"),
    "name": ("平顶山市石龙区行政审批和政务信息管理局石龙区“一体化政务服务平台”综合维保项目",
             "平顶山市石龙区行政审批和政务信息管理局石龙区“一体化政务服务平台”综合维保项目"),
    "procurement_number": ("石采磋商-2026-1", "采购编号：石采磋商-2026-1"),
    "party_a": ("平顶山市石龙区行政审批和政务信息管理局", "甲方：平顶山市石龙区行政审批和政务信息管理局"),
    "party_b": ("河南海泰天成电子有限公司", "乙方：河南海泰天成电子有限公司"),
    "party_a_representative": ("郑耀林", "法人代表或委托代理人：郑耀林"),
    "bank": ("中国工商银行平顶山分行", "开户行：中国工商银行平顶山分行开户行账号：1707020119020195607"),
    "account": ("1707020119020195607", "开户行：中国工商银行平顶山分行开户行账号：1707020119020195607"),
    "amount": ("1370000.00", "本合同总金额为人民币 1370000.00元（人民币大写：壹佰叁拾柒万元整）。"),
    "amount_in_words": ("壹佰叁拾柒万元整", "本合同总金额为人民币 1370000.00元（人民币大写：壹佰叁拾柒万元整）。"),
    "amount_words_match": (True, "本合同总金额为人民币 1370000.00元（人民币大写：壹佰叁拾柒万元整）。"),
    "signed_on": ("2026-02-02", "日期：2026年2月2日"),
    "start": ("2026-03-09", "本项目服务期限为：自 2026 年 03 月 09 日起至 2027 年 03 月 08 日止。"),
    "end": ("2027-03-08", "本项目服务期限为：自 2026 年 03 月 09 日起至 2027 年 03 月 08 日止。"),
    "advance_ratio": ("0.30", "合同签订后，在乙方依据本项目采购需求提供维保服务之前，甲方向乙方支付合同金额的 30%作为预付款，"
                              "剩余部分在服务结束并交接完成后一次性付清剩余款项。"),
    "remedy_working_days": (5, None),
    "force_majeure_days": (15, "4、遇有上述不可抗力事件的一方，应在可能的时候立即将事件情况通知对方，并在该事件发生后 15 日内向对方"
                               "提供政府部门开具的有效证明文件，同时提出合同需要延期履行或不能完全履行或不能履行的理由，同时于 15 日内"
                               "与相关部门完成交接工作。"),
    "max_renewals": (2, None),
    "max_total_years": (3, None),
    "renewal_window_days": (15, None),
    "min_resident_staff": (1, None),
}
RENEWAL = ("2、本合同期满前 15 天内，乙方在服务期限内若服务规范、信誉良好，经甲乙双方协商可对本项目服务续签服务合同，"
           "价格由甲乙双方另行协商，续签次数不得超过两次，总服务期限不得超过三年。")


@pytest.fixture(scope="module")
def draft():
    from tests.ledger.conftest import CONTRACTS

    return build_draft((CONTRACTS / "seed" / "seed_htdz202602135.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("field", list(EXPECTED))
def test_each_field_of_the_seed(draft, field):
    value, sentence = EXPECTED[field]
    assert draft[field] == value
    if field in ("max_renewals", "max_total_years", "renewal_window_days"):
        sentence = RENEWAL
    if field == "min_resident_staff":
        assert "常驻运维服务人员人数不少于1人" in draft["sources"][field]
    elif field == "remedy_working_days":
        assert "违约方应在通知发出之日起5个工作日内采取补救措施" in draft["sources"][field]
    else:
        assert draft["sources"][field] == sentence


def test_the_seed_has_no_addresses_and_no_named_vendor_representative(draft):
    assert draft["party_a_address"] is None and draft["party_b_address"] is None
    assert draft["party_b_representative"] is None  # signed as [Signature]


def test_the_seed_payment_terms(draft):
    assert [(i["ratio"], i["condition"]) for i in draft["instalments"]] == [
        ("0.30", "合同签订后，在乙方依据本项目采购需求提供维保服务之前"),
        ("0.70", "服务结束并交接完成后"),
    ]
    assert all(i["clause"] == "七.2" for i in draft["instalments"])


def test_the_seed_penalties(draft):
    assert [(p["clause"], p["base"], p["rate"], p["per"], p["cap"]) for p in draft["penalties"]] == [
        ("九.3", "contract_total", "0.0003", "once", None),
        ("九.4", "amount_due", "0.0003", "once", None),
    ]
    assert draft["penalties"][0]["source"] == "3、乙方未按照本合同履行保密责任，乙方按照合同总金额的万分之三支付违约金。"


def test_the_seed_obligations(draft):
    keys = {o["key"] for o in draft["obligations"]}
    assert {"hotline_7x24", "resident_on_site", "holiday_duty", "response_time", "emergency_plan", "training",
            "project_manager", "insurance", "confidentiality", "no_subcontracting", "data_change_approval"} <= keys
    hotline = next(o for o in draft["obligations"] if o["key"] == "hotline_7x24")
    assert "7×24 小时电话支持服务" in hotline["source"]


def test_the_seed_unrecognised_clauses_are_listed(draft):
    assert "一 服务范围：详见附件。" in draft["unrecognised"]
    assert any(u.startswith("十.1（不可抗力）") for u in draft["unrecognised"])
    assert draft["warnings"] == []
