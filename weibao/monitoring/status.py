"""The status page (状态页): each component's state, open incidents, announced
maintenance and 90-day availability bars, in a public and a bureau variant.

Incidents live in a higher app: it contributes its section through ``register_section``
(its ``AppConfig.ready()``), called with ``(contract, public=bool)`` and answering a list
of ``{"title", "level", "started_at", "state", "updates": [{"at", "text"}]}``; on the public
variant it must give public updates only (no names, no internal notes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import localize
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.monitoring import selectors
from weibao.monitoring.models import MaintenanceWindow, Monitor, MonitorState, StatusPage
from weibao.servicedesk.models import ServiceComponent

BAR_DAYS = 90
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{2,59}", re.ASCII)
_sections: list[Callable] = []


def register_section(func: Callable) -> Callable:
    """Add an incidents-like section to the status page (see the module's docstring)."""
    if func not in _sections:
        _sections.append(func)
    return func


def incidents_for(contract, *, public: bool) -> list[dict]:
    found = []
    for section in _sections:
        found.extend(section(contract, public=public))
    return found


def page_of_contract(contract) -> StatusPage | None:
    return StatusPage.objects.filter(contract=contract).first()


BAR_COLOURS = {"good": "#22a06b", "fair": "#e2b203", "bad": "#c9372c", "none": "#d0d4da"}


def _bar(day: dt.date, figures, words: tuple[str, str, str]) -> dict:
    """One day's bar, its tooltip and colour made here: a page has 90 per component, and
    the template's tags cost more than the rest of the page (as the ticket rows, 0028)."""
    percent = figures.percent
    if percent is None:
        level = "none"
    elif percent >= 99.9:
        level = "good"
    elif percent >= 99:
        level = "fair"
    else:
        level = "bad"
    fault, minutes, no_data = words
    if percent is None:
        title = f"{day:%Y-%m-%d}：{no_data}"
    else:
        title = f"{day:%Y-%m-%d}：{localize(percent)}%，{fault} {localize(figures.downtime_minutes)} {minutes}"
    return {"day": day, "percent": percent, "level": level, "downtime": figures.downtime_minutes,
            "title": title, "colour": BAR_COLOURS[level]}


def page_context(contract, *, public: bool, page: StatusPage | None = None) -> dict:
    """What the page shows. The public variant lists only the page's public components,
    with their state and bars; no monitor names, targets or errors."""
    today = clock.today()
    first = today - dt.timedelta(days=BAR_DAYS - 1)
    now = clock.now()
    components = ServiceComponent.objects.filter(contract=contract, active=True).order_by("code")
    if public:
        components = components.filter(pk__in=page.public_components.values("pk")) if page else components.none()
    components = list(components)
    monitors_of: dict[int, list[Monitor]] = {}
    for monitor in Monitor.objects.filter(component__in=components, enabled=True):
        monitors_of.setdefault(monitor.component_id, []).append(monitor)
    boards = selectors.boards(contract.pk, monitors_of, first, today)
    words = (_("故障"), _("分钟"), _("无数据"))
    rows = []
    for component in components:
        monitors = monitors_of.get(component.pk)
        if not monitors:
            continue
        board = boards[component.pk]
        rows.append({
            "component": component,
            "state": selectors.component_state(monitors),
            "in_maintenance": board.in_maintenance,
            "percent": board.total.percent,
            "bars": [_bar(day, figures, words) for day, figures in board.days],
            "monitors": [] if public else monitors,
        })
    windows = MaintenanceWindow.objects.filter(contract=contract, end__gt=now).prefetch_related("components")
    if public:
        windows = windows.filter(announce=True)
    return {
        "rows": rows,
        "all_up": bool(rows) and all(r["state"] != MonitorState.DOWN for r in rows),
        "incidents": incidents_for(contract, public=public),
        "windows": windows.order_by("start")[:20],
        "public": public, "first_day": first, "today": today, "now": now,
    }


@transaction.atomic
def save_settings(contract, *, by, title: str, slug: str, public: bool, components: list) -> StatusPage:
    require(by, contract.pk, Capability.MANAGE_MONITORS)
    errors = {}
    title, slug = title.strip(), slug.strip().lower()
    if not title or len(title) > 100:
        errors["title"] = _("请填写标题（不超过 100 个字符）。")
    if not _SLUG.fullmatch(slug):
        errors["slug"] = _("公开地址应为 3–60 个小写字母、数字或连字符。")
    elif StatusPage.objects.filter(slug=slug).exclude(contract=contract).exists():
        errors["slug"] = _("该公开地址已被使用。")
    if any(c.contract_id != contract.pk for c in components):
        errors["public_components"] = _("服务目录项不属于本合同。")
    if errors:
        raise ValidationError(errors)
    page, _created = StatusPage.objects.update_or_create(
        contract=contract, defaults={"title": title, "slug": slug, "public": public}
    )
    page.public_components.set(components)
    audit.record("monitoring.status_page_saved", obj=page, actor=by, contract=contract,
                 after={"title": title, "slug": slug, "public": public, "components": [c.pk for c in components]})
    return page
