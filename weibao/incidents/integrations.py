"""Managing alert sources: integrations (secret URLs), silences, level definitions."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.incidents.models import (
    Category,
    Integration,
    Level,
    LevelDefinition,
    Silence,
    new_mail_secret,
    new_secret,
)

MAX_GROUP_LABELS = 8

# The mail channel sits above this app (decision 0013): it tells us an e-mail
# integration's addresses by registering here (decision 0027).
_mail_address_providers: list[Callable[[Integration], list[str]]] = []


def register_mail_addresses(provider: Callable[[Integration], list[str]]) -> None:
    if provider not in _mail_address_providers:
        _mail_address_providers.append(provider)


def mail_addresses(integration: Integration) -> list[str]:
    """The addresses mail to which becomes an alert of ``integration`` (none without an
    active service mailbox on its contract)."""
    found: list[str] = []
    for provider in _mail_address_providers:
        found += [a for a in provider(integration) if a not in found]
    return found


def intake_address(integration: Integration, build_absolute_uri=None) -> str:
    """Where a sender delivers to: the full secret URL, or ``mailto:`` the secret address
    ("" when an e-mail integration has no mailbox to receive it)."""
    if integration.kind == Integration.Kind.EMAIL:
        addresses = mail_addresses(integration)
        return f"mailto:{addresses[0]}" if addresses else ""
    return build_absolute_uri(integration.path) if build_absolute_uri else integration.path


def secret_for(kind: str) -> str:
    return new_mail_secret() if kind == Integration.Kind.EMAIL else new_secret()


def parse_labels(text: str, field: str = "group_by") -> list[str]:
    names = [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]
    if len(names) > MAX_GROUP_LABELS or any(len(n) > 100 or not n.replace("_", "").isascii() for n in names):
        raise ValidationError({field: _("标签名以英文逗号分隔，最多 8 个。")})
    return names


def create_integration(contract, *, by, kind: str, name: str, group_by: list[str] = (), default_level: str = Level.IV,
                       category: str = Category.EQUIPMENT, component=None) -> Integration:
    require(by, contract.pk, Capability.MANAGE_INCIDENTS)
    errors = {}
    if kind not in Integration.Kind.values:
        errors["kind"] = _("无效的接入类型。")
    if not (name or "").strip():
        errors["name"] = _("请填写名称。")
    if default_level not in Level.values:
        errors["default_level"] = _("无效的事件级别。")
    if category not in Category.values:
        errors["category"] = _("无效的事件类别。")
    if component is not None and component.contract_id != contract.pk:
        errors["component"] = _("服务目录项不存在。")
    if errors:
        raise ValidationError(errors)
    integration = Integration.objects.create(
        contract=contract, kind=kind, name=name.strip()[:100], group_by=list(group_by), secret=secret_for(kind),
        default_level=default_level, category=category, component=component,
    )
    audit.record("incident.integration.create", obj=integration, actor=by, after={"kind": kind, "name": integration.name})
    return integration


def rotate(integration: Integration, *, by) -> Integration:
    """A new secret: the old URL stops working at once (update the sender's config)."""
    require(by, integration.contract_id, Capability.MANAGE_INCIDENTS)
    integration.secret = secret_for(integration.kind)
    integration.rotated_at = clock.now()
    integration.save(update_fields=["secret", "rotated_at"])
    audit.record("incident.integration.rotate", obj=integration, actor=by)
    return integration


def set_active(integration: Integration, active: bool, *, by) -> Integration:
    require(by, integration.contract_id, Capability.MANAGE_INCIDENTS)
    integration.active = active
    integration.save(update_fields=["active"])
    return integration


def parse_matchers(text: str) -> dict:
    """``name=value`` pairs, comma-separated: a silence matches alerts with all of them."""
    matchers = {}
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValidationError({"matchers": _("匹配条件应写作 标签=值，以逗号分隔。")})
        matchers[name.strip()[:100]] = value.strip()[:300]
    if not matchers:
        raise ValidationError({"matchers": _("请至少填写一个匹配条件。")})
    return matchers


def create_silence(contract, *, by, matchers: dict, starts_at, ends_at, comment: str = "") -> Silence:
    require(by, contract.pk, Capability.MANAGE_INCIDENTS)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间应晚于开始时间。")})
    silence = Silence.objects.create(
        contract=contract, matchers=matchers, starts_at=starts_at, ends_at=ends_at, comment=comment[:300], created_by=by
    )
    audit.record("incident.silence.create", obj=silence, actor=by, after={"matchers": matchers})
    return silence


def end_silence(silence: Silence, *, by) -> Silence:
    require(by, silence.contract_id, Capability.MANAGE_INCIDENTS)
    now = clock.now()
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at)
        silence.save(update_fields=["ends_at"])
        audit.record("incident.silence.end", obj=silence, actor=by)
    return silence


def save_level(definition: LevelDefinition, *, by, definition_text: str, bureau_minutes: int,
               regulator_minutes: int | None, regulator_name: str) -> LevelDefinition:
    require(by, definition.contract_id, Capability.MANAGE_INCIDENTS)
    if not bureau_minutes:
        raise ValidationError({f"bureau_minutes_{definition.level}": _("请填写向甲方报告的时限（分钟）。")})
    before = {"bureau": definition.bureau_minutes, "regulator": definition.regulator_minutes}
    definition.definition = definition_text[:5000]
    definition.bureau_minutes = bureau_minutes
    definition.regulator_minutes = regulator_minutes
    definition.regulator_name = regulator_name[:100]
    definition.save()
    audit.record(
        "incident.levels.save", obj=definition, actor=by, before=before,
        after={"bureau": bureau_minutes, "regulator": regulator_minutes},
    )
    return definition
