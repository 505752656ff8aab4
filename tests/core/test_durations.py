"""Durations read as words in the reader's language: 已超时 16 天 16 小时, 3 秒."""


from weibao.core.durations import countdown, duration


def test_a_short_call_reads_in_seconds():
    assert duration(3) == "3 秒"


def test_a_long_overdue_clock_reads_in_days_and_hours():
    assert countdown(-(16 * 86400 + 16 * 3600 + 18 * 60 + 23)) == "已超时 16 天 16 小时"


def test_time_left_reads_in_hours_and_minutes():
    assert countdown(2 * 3600 + 5 * 60 + 59) == "剩余 2 小时 5 分钟"
    assert duration(3600) == "1 小时"
    assert duration(86400) == "1 天"
    assert duration(90) == "1 分钟"
