"""Demo changes: a few change requests in various states (one emergency change awaiting
its retroactive approval), a standard template and a data-access request. Safe to load twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from weibao.accounts.models import User
from weibao.changes import data, services
from weibao.changes.models import ChangeRequest, DataAccessRequest, StandardChangeTemplate
from weibao.core import clock
from weibao.servicedesk.models import ServiceComponent, Ticket


def _at(days: int, hour: int) -> dt.datetime:
    day = clock.local_now().date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.SHANGHAI)


@transaction.atomic
def load(contracts: dict) -> None:
    seed = contracts["seed"]
    if ChangeRequest.objects.filter(contract=seed).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["pm", "engineer", "oncall1", "liaison"])}
    engineer, oncall, liaison, pm = people["engineer"], people["oncall1"], people["liaison"], people["pm"]
    services.save_settings(seed, by=None, pm_approval_first=False, retro_approval_hours=24)
    component = ServiceComponent.objects.filter(contract=seed).first()
    ticket = Ticket.objects.filter(contract=seed).order_by("pk").first()

    # 1. A normal change waiting for the liaison.
    services.request_change(
        seed, by=engineer, kind="normal", title="统一身份认证平台升级至 v5.3", reason="厂商发布安全补丁，修复单点登录会话固定漏洞",
        risk="medium", impact="升级期间统一身份认证不可用约 30 分钟", components=[component] if component else [],
        implementation_plan="1. 备份配置与数据库\n2. 滚动升级两个节点\n3. 验证法人与个人登录",
        rollback_plan="回滚至 v5.2 镜像并恢复配置备份", planned_start=_at(7, 22), planned_end=_at(7, 23), implementer=engineer,
    )
    # 2. A data-access request, approved, and a normal change done under it, reviewed and closed.
    grant = data.request_access(
        seed, by=engineer, purpose="核对电子证照库中营业执照照面信息与市场监管数据的一致性",
        data_scope="电子证照库 营业执照类证照（仅照面字段，不含法人证件号码）", systems="电子证照系统",
        period_start=clock.today() - dt.timedelta(days=10), period_end=clock.today() + dt.timedelta(days=20),
    )
    data.decide(grant, by=None, approve=True, comment="同意，仅限核对，不得导出。")
    DataAccessRequest.objects.filter(pk=grant.pk).update(decided_by=liaison)
    done = services.request_change(
        seed, by=engineer, kind="normal", title="修正电子证照库中 12 条营业执照照面错误", reason="市场监管局来函指出照面信息与登记不一致",
        risk="low", implementation_plan="按核对清单逐条修正并留存修改前快照", rollback_plan="按快照恢复",
        planned_start=_at(-3, 20), planned_end=_at(-3, 21), implementer=engineer, touches_data=True, data_access=grant,
        tickets=[ticket] if ticket else [],
    )
    services.approve(done, by=liaison, comment="同意在晚间实施。")
    services.transition(done, "implementing", by=engineer)
    services.transition(done, "implemented", by=engineer)
    services.transition(done, "closed", by=pm, review_outcome="successful", review_notes="12 条均已修正，抽查无误。")
    # 3. An emergency change under way, not yet approved retroactively: flagged.
    emergency = services.request_change(
        seed, by=oncall, kind="emergency", title="紧急扩容审批系统数据库连接池", reason="审批系统高峰期连接池耗尽，大量受理超时",
        risk="high", implementation_plan="连接池上限 200→400，重启应用节点", rollback_plan="恢复原配置并重启",
        planned_start=_at(0, 9), planned_end=_at(0, 10), implementer=oncall,
    )
    services.transition(emergency, "implementing", by=oncall)
    # 4. A standard change from a template the bureau approved once.
    template = StandardChangeTemplate.objects.filter(contract=seed, name="证书到期更换（SSL）").first()
    if template is None:
        template = services.save_template(
            seed, by=None, name="证书到期更换（SSL）", description="更换门户与接口网关到期的 SSL 证书",
            implementation_plan="上传新证书，灰度切换，验证 HTTPS", rollback_plan="切回旧证书（有效期内）",
        )
        services.approve_template(template, by=None)
        StandardChangeTemplate.objects.filter(pk=template.pk).update(approved_by=liaison)
    services.request_change(
        seed, by=engineer, kind="standard", template=template, title="更换门户网站 SSL 证书",
        reason="现证书将于下月到期", risk="low", planned_start=_at(3, 21), planned_end=_at(3, 22), implementer=engineer,
    )
