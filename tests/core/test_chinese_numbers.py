"""The one parser of Chinese numbers (weibao.core.chinese_numbers)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weibao.core import chinese_numbers as cn

amounts = st.decimals(min_value=0, max_value=Decimal("9999999999999.99"), places=2, allow_nan=False)


@given(amounts)
def test_upper_case_amount_round_trips(amount):
    assert cn.parse_upper_amount(cn.amount_in_words(amount)) == amount


@given(amounts)
def test_upper_case_amount_found_in_a_sentence_round_trips(amount):
    sentence = f"本合同总金额为人民币{cn.format_money(amount)}元（人民币大写：{cn.amount_in_words(amount)}）。"
    assert cn.parse_amount(sentence) == amount
    assert cn.parse_upper_amount(cn.find_upper_amount(sentence) or "") == amount or amount < 1


@pytest.mark.parametrize(
    "amount, words",
    [
        ("1370000", "壹佰叁拾柒万元整"),
        ("985000", "玖拾捌万伍仟元整"),
        ("100500.05", "壹拾万零伍佰元零伍分"),
        ("1005", "壹仟零伍元整"),
        ("100000500", "壹亿零伍佰元整"),
        ("1000010000", "壹拾亿零壹万元整"),
        ("20.50", "贰拾元伍角"),
        ("0.30", "叁角"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
    ],
)
def test_amount_in_words_follows_the_payment_rules(amount, words):
    assert cn.amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(
    "text, amount",
    [
        ("1370000.00元", "1370000.00"),
        ("¥1,370,000.00", "1370000.00"),
        ("￥１，３７０，０００．００", "1370000.00"),
        ("98.5万元", "985000.00"),
        ("人民币壹佰叁拾柒万元整", "1370000.00"),
        ("壹佰叁拾柒万圆正", "1370000.00"),
        ("人民币壹拾万零伍佰元零伍分", "100500.05"),
        ("叁万元伍角叁分", "30000.53"),
        ("本合同总金额为人民币 1370000.00元（人民币大写：壹佰叁拾柒万元整）。", "1370000.00"),
    ],
)
def test_amounts_in_every_written_form(text, amount):
    assert cn.parse_amount(text) == Decimal(amount)


def test_no_amount_is_none():
    assert cn.parse_amount("详见附件。") is None
    assert cn.parse_upper_amount("壹佰叁拾柒") is None


@pytest.mark.parametrize(
    "text, ratio",
    [
        ("万分之三", "0.0003"),
        ("0.3‰", "0.0003"),
        ("百分之三十", "0.30"),
        ("30%", "0.30"),
        ("30％", "0.30"),
        ("百分之零点一", "0.001"),
        ("千分之五", "0.005"),
        ("3‱", "0.0003"),
        ("三成", "0.30"),
        ("合同金额的 30%作为预付款", "0.30"),
    ],
)
def test_ratios(text, ratio):
    assert cn.format_ratio(cn.parse_ratio(text)) == ratio


@given(st.integers(min_value=1, max_value=9999))
def test_per_ten_thousand_written_three_ways_agree(n):
    words = cn.parse_ratio(f"万分之{n}")
    permille = cn.parse_ratio(f"{Decimal(n) / 10}‰")
    percent = cn.parse_ratio(f"{Decimal(n) / 100}%")
    assert words == permille == percent == Decimal(n) / 10000


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_integers_round_trip_through_upper_case(n):
    words = cn.amount_in_words(Decimal(n)).removesuffix("元整")
    assert cn.parse_chinese_integer(words) == n


@pytest.mark.parametrize(
    "text, n",
    [("十五", 15), ("两", 2), ("二〇二六", 2026), ("一百零八", 108), ("三万五", 35000), ("廿三", 23), ("一千二百", 1200)],
)
def test_chinese_integers(text, n):
    assert cn.parse_chinese_integer(text) == n


@pytest.mark.parametrize("text, n", [("两名", 2), ("不少于1人", 1), ("不少于３人", 3), ("一次", 1), ("两次", 2)])
def test_counts(text, n):
    assert cn.parse_count(text) == n


@pytest.mark.parametrize(
    "text, day",
    [
        ("2026年3月9日", dt.date(2026, 3, 9)),
        ("自 2026 年 03 月 09 日起", dt.date(2026, 3, 9)),
        ("二〇二六年三月九日", dt.date(2026, 3, 9)),
        ("二〇二八年六月三十日", dt.date(2028, 6, 30)),
        ("2026.3.9", dt.date(2026, 3, 9)),
        ("2026-03-09", dt.date(2026, 3, 9)),
        ("2026/3/9", dt.date(2026, 3, 9)),
        ("２０２６年３月９日", dt.date(2026, 3, 9)),
    ],
)
def test_dates(text, day):
    assert cn.parse_date(text) == day


def test_impossible_dates_are_skipped():
    assert cn.parse_date("2026年2月30日") is None


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_in_all_forms_agree(day):
    digits = "〇一二三四五六七八九"
    small = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    def cn_small(n):
        return small[n] if n <= 10 else (("" if n < 20 else small[n // 10]) + "十" + small[n % 10])

    written = "".join(digits[int(c)] for c in str(day.year)) + f"年{cn_small(day.month)}月{cn_small(day.day)}日"
    assert cn.parse_date(written) == day
    assert cn.parse_date(f"{day.year}.{day.month}.{day.day}") == day
    assert cn.parse_date(f"{day.year}年{day.month}月{day.day}日") == day


@pytest.mark.parametrize(
    "text, period",
    [
        ("15个工作日", cn.Period(15, "working_day")),
        ("十五日内", cn.Period(15, "day")),
        ("5个工作日内", cn.Period(5, "working_day")),
        ("三年", cn.Period(3, "year")),
        ("一个月", cn.Period(1, "month")),
        ("半年", cn.Period(6, "month")),
        ("30天", cn.Period(30, "day")),
    ],
)
def test_periods(text, period):
    assert cn.parse_period(text) == period


def test_a_date_is_not_a_period():
    assert cn.parse_period("2026年3月") is None


def test_term_from_signing():
    term = cn.parse_term("服务期三年，自合同签订之日起", signed_on=dt.date(2026, 1, 15))
    assert (term.start, term.end, term.starts_on_signing) == (dt.date(2026, 1, 15), dt.date(2029, 1, 14), True)


def test_term_from_signing_without_a_signing_date_has_its_length_only():
    term = cn.parse_term("服务期三年，自合同签订之日起")
    assert term.start is None and term.period == cn.Period(3, "year")


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("本项目服务期限为：自 2026 年 03 月 09 日起至 2027 年 03 月 08 日止。", "2026-03-09", "2027-03-08"),
        ("服务期一年，自2026年4月1日起至2027年3月31日止。", "2026-04-01", "2027-03-31"),
        ("服务期一年，自2026年4月1日起。", "2026-04-01", "2027-03-31"),
        ("服务期限：2026.3.9至2027.3.8。", "2026-03-09", "2027-03-08"),
        ("服务期限两年，自二〇二六年七月一日起至二〇二八年六月三十日止。", "2026-07-01", "2028-06-30"),
        ("服务期限六个月，自2028年2月29日起。", "2028-02-29", "2028-08-28"),
    ],
)
def test_terms_with_dates(text, start, end):
    term = cn.parse_term(text)
    assert (term.start.isoformat(), term.end.isoformat()) == (start, end)


def test_a_leap_day_term_of_a_year_ends_on_the_27th():
    # Civil Code art. 202: no 29 February next year, so the corresponding day is the 28th.
    assert cn.parse_term("服务期一年，自2028年2月29日起").end == dt.date(2029, 2, 27)


@given(st.text(max_size=200))
def test_parsers_never_raise_on_odd_text(text):
    cn.parse_amount(text)
    cn.parse_ratio(text)
    cn.find_dates(text)
    cn.find_periods(text)
    cn.parse_term(text)
    cn.parse_count(text)
    cn.find_upper_amount(text)
