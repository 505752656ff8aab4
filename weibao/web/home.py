"""The home page per role. Each later capability contributes panels for its roles."""

from __future__ import annotations

from django.utils.module_loading import import_string

from weibao.accounts.roles import AdminRole
from weibao.contracts.roles import ContractRole, role_label
from weibao.contracts.services import roles_of

# Which home a user lands on, most specific first.
HOME_PRIORITY = [
    AdminRole.SYSTEM_ADMIN,
    AdminRole.SECURITY_ADMIN,
    AdminRole.AUDITOR,
    ContractRole.PROJECT_MANAGER,
    ContractRole.HOTLINE_AGENT,
    ContractRole.RESIDENT_ENGINEER,
    ContractRole.ONCALL_ENGINEER,
    ContractRole.BUREAU_LIAISON,
    ContractRole.BUREAU_VIEWER,
    ContractRole.AUDITOR,
]


# Each capability's home panels: ``panels(request, contract) -> list[dict]`` with a
# "template" key; the home page includes them in this order.
PANEL_PROVIDERS = [
    "weibao.web.admin_home.system_panels",
    "weibao.web.admin_home.security_panels",
    "weibao.web.admin_home.auditor_panels",
    "weibao.servicedesk.home.panels",
    "weibao.people.home.panels",
    "weibao.changes.home.panels",
    "weibao.ledger.home.panels",
    "weibao.ledger.importer.home.panels",
    "weibao.oncall.home.panels",
    "weibao.monitoring.home.panels",
    "weibao.incidents.home.panels",
]


def primary_role(user, contract) -> str | None:
    held = set(roles_of(user, contract)) if contract is not None else set()
    if user.admin_role:
        held.add(user.admin_role)
    for role in HOME_PRIORITY:
        if role in held:
            return str(role)
    return None


def _label(user, role: str | None) -> str:
    # The platform 审计管理员 and a contract's 审计员 share the word "auditor".
    if role and user.admin_role == role:
        return str(AdminRole(role).label)
    return role_label(role) if role else ""


def home_context(request) -> dict:
    user = request.user
    contract = getattr(request, "contract", None)
    role = primary_role(user, contract)
    return {
        "role": role,
        "role_label": _label(user, role),
        "contract_roles": sorted(roles_of(user, contract)) if contract else [],
        "panels": [
            panel
            for provider in PANEL_PROVIDERS
            for panel in import_string(provider)(request, contract)
        ],
    }
