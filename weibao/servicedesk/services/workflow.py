"""The ticket lifecycle as an explicit state machine.

new → assigned → in_progress ⇄ waiting → resolved → closed; resolved → in_progress
reopens; any open state → cancelled. Everything else is refused with a message that
says which moves are possible from here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from weibao.servicedesk.models import Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ASSIGNED, Status.CANCELLED),
    Status.ASSIGNED: (Status.ASSIGNED, Status.IN_PROGRESS, Status.CANCELLED),
    Status.IN_PROGRESS: (Status.WAITING, Status.RESOLVED, Status.CANCELLED),
    Status.WAITING: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.CLOSED: (),
    Status.CANCELLED: (),
}

#: Words for the buttons on the ticket page (the move, not the state).
ACTION_LABELS = {
    Status.ASSIGNED: gettext_lazy("分派"),
    Status.IN_PROGRESS: gettext_lazy("开始处理"),
    Status.WAITING: gettext_lazy("等待请求人"),
    Status.RESOLVED: gettext_lazy("标记已解决"),
    # "关闭" is also "turn off" (a second factor): the context keeps the two apart.
    Status.CLOSED: pgettext_lazy("ticket action", "关闭"),
    Status.CANCELLED: gettext_lazy("取消工单"),
}


def allowed_from(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def action_label(current: str, target: str) -> str:
    if current == Status.RESOLVED and target == Status.IN_PROGRESS:
        return _("重新打开")
    if current == Status.WAITING and target == Status.IN_PROGRESS:
        return _("继续处理")
    if current == Status.ASSIGNED and target == Status.ASSIGNED:
        return _("改派")
    return str(ACTION_LABELS[target])


def check(current: str, target: str) -> None:
    if target not in Status.values:
        raise ValidationError(
            {"to": _("未知状态“%(to)s”。可选：%(all)s") % {"to": target, "all": ", ".join(Status.values)}}
        )
    if target not in allowed_from(current):
        possible = ", ".join(allowed_from(current)) or _("无（已结束）")
        raise ValidationError(
            {
                "to": _("不能从“%(from)s”变为“%(to)s”。当前可变为：%(possible)s")
                % {"from": Status(current).label, "to": Status(target).label, "possible": possible}
            }
        )
