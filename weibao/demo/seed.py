"""The seed contract, its team, and an unrelated second contract (for isolation)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from weibao.accounts.models import User
from weibao.accounts.roles import AdminRole
from weibao.accounts.services.passwords import set_password
from weibao.accounts.services.roles import grant_admin_role
from weibao.contracts.models import Contract
from weibao.contracts.roles import ContractRole
from weibao.contracts.services import add_member

DEMO_PASSWORD = "Weibao@2026"

SEED_CONTRACT = {
    "number": "HTDZ202602135",
    "name": "平顶山市石龙区行政审批和政务信息管理局石龙区“一体化政务服务平台”综合维保项目",
    "procurement_number": "石采磋商-2026-1",
    "party_a": "平顶山市石龙区行政审批和政务信息管理局",
    "party_b": "河南海泰天成电子有限公司",
    "party_a_representative": "郑耀林",
    "party_b_bank": "中国工商银行平顶山分行",
    "party_b_account": "1707020119020195607",
    "amount": Decimal("1370000.00"),
    "signed_on": date(2026, 2, 2),
    "term_start": date(2026, 3, 9),
    "term_end": date(2027, 3, 8),
    "status": Contract.Status.ACTIVE,
}

OTHER_CONTRACT = {
    "number": "HTDZ202601077",
    "name": "示例市政务服务和大数据管理局“一网通办”平台运维项目",
    "procurement_number": "示采竞谈-2026-7",
    "party_a": "示例市政务服务和大数据管理局",
    "party_b": "示例信息技术有限公司",
    "amount": Decimal("860000.00"),
    "signed_on": date(2026, 1, 10),
    "term_start": date(2026, 2, 1),
    "term_end": date(2027, 1, 31),
    "status": Contract.Status.ACTIVE,
}

# username, display name, phone, organisation, contract roles on the seed contract, admin role
SEED_PEOPLE = [
    ("pm", "王建国", "13803750001", "河南海泰天成电子有限公司", [ContractRole.PROJECT_MANAGER], None),
    ("engineer", "李明", "13803750002", "河南海泰天成电子有限公司", [ContractRole.RESIDENT_ENGINEER], None),
    ("oncall1", "赵磊", "13803750003", "河南海泰天成电子有限公司", [ContractRole.ONCALL_ENGINEER], None),
    ("oncall2", "孙浩", "13803750004", "河南海泰天成电子有限公司", [ContractRole.ONCALL_ENGINEER], None),
    ("agent", "刘芳", "13803750005", "河南海泰天成电子有限公司", [ContractRole.HOTLINE_AGENT], None),
    ("liaison", "陈静", "13903750006", "平顶山市石龙区行政审批和政务信息管理局", [ContractRole.BUREAU_LIAISON], None),
    ("viewer", "郑耀林", "13903750007", "平顶山市石龙区行政审批和政务信息管理局", [ContractRole.BUREAU_VIEWER], None),
    ("auditor", "周敏", "13803750008", "河南海泰天成电子有限公司", [ContractRole.AUDITOR], None),
    # 三员分立: the platform's 审计管理员 is another person, with no contract role (decision 0012).
    ("sysauditor", "冯丽", "13803750012", "河南海泰天成电子有限公司", [], AdminRole.AUDITOR),
    ("sysadmin", "吴强", "13803750009", "河南海泰天成电子有限公司", [], AdminRole.SYSTEM_ADMIN),
    ("secadmin", "郭伟", "13803750010", "河南海泰天成电子有限公司", [], AdminRole.SECURITY_ADMIN),
]
OTHER_PEOPLE = [
    ("other_pm", "何志远", "13703710011", "示例信息技术有限公司", [ContractRole.PROJECT_MANAGER], None),
    ("other_agent", "马丽", "13703710012", "示例信息技术有限公司", [ContractRole.HOTLINE_AGENT], None),
]


def _person(username, display_name, phone, organisation, admin_role) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "phone": phone, "organisation": organisation},
    )
    if created:
        set_password(user, DEMO_PASSWORD, by=None)
    if admin_role and user.admin_role is None:
        grant_admin_role(user, admin_role, by=None)
    return user


def _contract(fields: dict) -> Contract:
    contract, _ = Contract.objects.get_or_create(number=fields["number"], defaults=fields)
    return contract


@transaction.atomic
def load() -> dict[str, Contract]:
    seed = _contract(SEED_CONTRACT)
    other = _contract(OTHER_CONTRACT)
    for contract, people in ((seed, SEED_PEOPLE), (other, OTHER_PEOPLE)):
        for username, name, phone, org, roles, admin_role in people:
            user = _person(username, name, phone, org, admin_role)
            for role in roles:
                add_member(contract, user, role)
    return {"seed": seed, "other": other}
