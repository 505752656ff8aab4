"""Demo team register and training: the seed team's people records (one with insurance
running out within 30 days) and a training plan with a held session. Safe to load twice."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction

from weibao.accounts.models import User
from weibao.core import clock
from weibao.people import services, training
from weibao.people.models import InsurancePolicy, StaffProfile, TrainingPlan, TrainingSession

# username, position, resident
TEAM = [
    ("pm", "项目经理", True),
    ("engineer", "驻场运维工程师", True),
    ("oncall1", "值班工程师", False),
    ("oncall2", "值班工程师", False),
    ("agent", "热线坐席", True),
]
# A one-page PDF standing in for a scan.
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _profiles(contract, today: dt.date) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[t[0] for t in TEAM])}
    for username, position, resident in TEAM:
        user = users.get(username)
        if user is None or StaffProfile.objects.filter(contract=contract, user=user).exists():
            continue
        profile = services.save_profile(
            contract, user, by=None, employer=contract.party_b, position=position, resident=resident,
            resident_since=contract.term_start if resident else None,
        )
        # Insured and bound by the agreement from the start of the term's year (before the
        # contract began, as staff who worked on the platform already were).
        start = contract.term_start.replace(month=1, day=1)
        # The hotline agent's accident insurance runs out in 20 days: the reminder and the team
        # page show it (someone on the on-call rotation would leave the holiday duty plan empty).
        # Covered to the term's end, or a year on when the demo is loaded later than that
        # (the demo is relative to today: its month must have an insured team).
        covered = max(contract.term_end, today + dt.timedelta(days=365))
        accident_end = today + dt.timedelta(days=20) if username == "agent" else covered
        services.add_policy(profile, by=None, kind=InsurancePolicy.Kind.SOCIAL, insurer="平顶山市社会保险中心",
                            policy_number=f"SB41040{user.pk:06d}", valid_from=start, valid_until=covered)
        services.add_policy(profile, by=None, kind=InsurancePolicy.Kind.ACCIDENT, insurer="中国人寿平顶山分公司",
                            policy_number=f"YW2026{user.pk:08d}", valid_from=start, valid_until=accident_end,
                            scan=ContentFile(SCAN, name="policy.pdf"))
        services.add_agreement(profile, by=None, signed_on=min(start, today), scan=ContentFile(SCAN, name="nda.pdf"))
        if username == "engineer":
            services.add_qualification(profile, by=None, name="网络工程师（中级）", issuer="工业和信息化部",
                                       number="2021NE0412", valid_until=None)


def _training(contract, liaison, now: dt.datetime) -> None:
    year = clock.local_now().year
    if TrainingPlan.objects.filter(contract=contract, year=year).exists():
        return
    plan = training.save_plan(contract, by=None, year=year, title=f"{year} 年度政务服务平台技术培训",
                              planned_sessions=4, description="每季度一次：平台操作、统一身份认证、电子证照、数据安全。")
    if liaison is not None:
        training.agree_plan(plan, by=None)
        TrainingPlan.objects.filter(pk=plan.pk).update(agreed_by=liaison)
    held_at = (now - dt.timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    held = training.save_session(plan, by=None, topic="一网通办平台受理与审批操作培训", starts_at=held_at,
                                 ends_at=held_at + dt.timedelta(hours=2), place="石龙区政务服务中心三楼会议室",
                                 trainer="李明", materials="《平台操作手册 v3.2》PDF；演示环境账号")
    ids = []
    for index, (name, org) in enumerate([("王丽", "审批一科"), ("张强", "审批二科"), ("赵芳", "信息科"),
                                          ("孙伟", "综合窗口"), ("钱敏", "综合窗口")]):
        attendee = training.add_attendee(held, by=None, name=name, organisation=org)
        if index < 4:
            ids.append(attendee.pk)
    training.record_held(held, by=None, attended_ids=ids, signed_sheet=ContentFile(SCAN, name="sheet.pdf"))
    training.give_feedback(held, by=liaison, satisfaction=5, comment="讲解清楚，希望多安排实操。")
    training.give_feedback(held, by=None, satisfaction=4, comment="（纸质问卷录入）")
    later = (now + dt.timedelta(days=30)).replace(hour=1, minute=30, second=0, microsecond=0)
    training.save_session(plan, by=None, topic="统一身份认证与电子证照常见问题", starts_at=later,
                          ends_at=later + dt.timedelta(hours=2), place="石龙区政务服务中心三楼会议室", trainer="赵磊")
    assert TrainingSession.objects.filter(plan=plan).count() == 2


@transaction.atomic
def load(contracts: dict) -> None:
    seed = contracts["seed"]
    today = clock.today()
    _profiles(seed, today)
    _training(seed, User.objects.filter(username="liaison").first(), clock.now())
