"""The 好差评 figures of a period as CSV or XLSX (one row per figure), audited."""

from __future__ import annotations

from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.core.exports import Percent, table_response
from weibao.feedback.models import Level
from weibao.feedback.services.figures import SatisfactionFigures


def _rate(value) -> Percent | str:
    return "" if value is None else Percent(value)


def rows(contract, figures: SatisfactionFigures) -> list[list]:
    table = [
        [_("合同"), contract.number],
        [_("开始日期"), figures.start],
        [_("结束日期"), figures.end],
        [_("评价数"), figures.ratings],
    ]
    table += [[str(Level(level).label), count] for level, count in figures.per_level.items()]
    table += [
        [_("其中电话回访代录"), figures.relayed_by_phone],
        [_("满意率"), _rate(figures.satisfaction_rate)],
        [_("电话咨询数"), figures.consultations],
        [_("一次解决数"), figures.first_contact_resolved],
        [_("电话咨询一次解决率"), _rate(figures.first_contact_rate)],
        [_("平均通话时长（秒）"), "" if figures.average_talk_seconds is None else figures.average_talk_seconds],
        [_("期末未办结整改"), figures.rectifications_open],
        [_("其中逾期"), figures.rectifications_overdue],
    ]
    return table


def export(contract, figures: SatisfactionFigures, fmt: str, *, user):
    audit.record(
        "feedback.figures.export", actor=user, contract=contract, object_type="feedback.rating",
        detail={"format": fmt, "start": figures.start.isoformat(), "end": figures.end.isoformat()},
    )
    return table_response([_("指标"), _("数值")], rows(contract, figures), fmt,
                          stem=f"feedback-{figures.start:%Y%m%d}-{figures.end:%Y%m%d}", sheet=_("好差评统计"))
