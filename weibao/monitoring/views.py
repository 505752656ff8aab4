"""Pages: monitors (list, detail, form), availability report, maintenance windows, the
bureau status page. The public status page and the heartbeat ping are in ``public_views``."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import can, contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.params import (
    BadParameter,
    page_of,
    parse_date,
    parse_datetime,
    parse_text,
    require_id,
)
from weibao.monitoring import access, selectors, services, status
from weibao.monitoring.models import (
    CheckResult,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    MonitorState,
    Rollup,
)

PER_PAGE = 50


def _contract(request, capability: str):
    return contract_for(request.user, getattr(request, "contract", None), capability)


@requires(Capability.VIEW_MONITORS)
@login_required
def monitor_list(request):
    contract = _contract(request, Capability.VIEW_MONITORS)
    monitors = Monitor.objects.filter(contract=contract).select_related("component").order_by("name", "pk")
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()[:100]
    component_id = require_id(request.GET.get("component"), "component")
    if state:
        if state not in MonitorState.values:
            raise BadParameter("state", _("状态应为 up、down 或 unknown。"))
        monitors = monitors.filter(state=state)
    if kind:
        if kind not in MonitorKind.values:
            raise BadParameter("kind", _("不支持的监测类型。"))
        monitors = monitors.filter(kind=kind)
    if component_id:
        monitors = monitors.filter(component_id=component_id)
    if q:
        monitors = monitors.filter(Q(name__icontains=q) | Q(target__icontains=q))
    counts = {s: Monitor.objects.filter(contract=contract, state=s).count() for s in MonitorState.values}
    return render(request, "monitoring/list.html", {
        "contract": contract, "page": page_of(request, monitors, PER_PAGE), "counts": counts,
        "state": state, "kind": kind, "q": q, "component": component_id or "",
        "states": MonitorState.choices, "kinds": MonitorKind.choices,
        "components": access.components(contract.pk),
        "filtered": bool(state or kind or q or component_id),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_MONITORS),
    })


@requires(Capability.VIEW_MONITORS)
@login_required
def monitor_detail(request, pk):
    monitor = access.monitor_for(request.user, pk, Capability.VIEW_MONITORS)
    now = clock.now()
    changes = monitor.changes.order_by("-at", "-pk")
    recent = CheckResult.objects.filter(monitor=monitor).order_by("-at")[:30]
    hours = list(Rollup.objects.filter(monitor=monitor, resolution="h", bucket__gte=now - dt.timedelta(hours=48))
                 .order_by("bucket"))
    peak = max((h.latency_max_ms for h in hours), default=0) or 1
    latency = [{"bucket": h.bucket, "avg": h.latency_avg_ms, "max": h.latency_max_ms, "failures": h.failures,
                "checks": h.checks, "height": round(100 * (h.latency_avg_ms or 0) / peak)} for h in hours]
    today = clock.today()
    return render(request, "monitoring/detail.html", {
        "monitor": monitor, "changes": page_of(request, changes, 25), "recent": recent, "latency": latency,
        "ping_url": request.build_absolute_uri(f"/ping/{monitor.ping_key}") if monitor.kind == MonitorKind.HEARTBEAT else "",
        "month": selectors.monitor_figures(monitor, today.replace(day=1), today),
        "maintenance": services.in_maintenance(monitor.component_id, now),
        "can_manage": can(request.user, monitor.contract_id, Capability.MANAGE_MONITORS),
        "headers": sorted((monitor.config.get("headers") or {}).keys()),
    })


# The columns' limits (Monitor.name, Monitor.target); the JSON config is a JSON column.
_MONITOR_TEXT_LIMITS = (("name", 100), ("target", 500), ("config", 5000))


def _form_values(post) -> tuple[dict, dict]:
    """The monitor's fields from the form; errors for what cannot be read at all."""
    errors, texts = {}, {}
    for field, limit in _MONITOR_TEXT_LIMITS:
        try:
            texts[field] = parse_text(post.get(field), field, limit)
        except BadParameter as error:
            texts[field], errors[field] = "", error.message
    try:
        config = json.loads(texts["config"] or "{}")
    except ValueError:
        config, errors["config"] = None, _("检查参数应为 JSON 对象，例如 {\"keyword\": \"政务服务\"}。")
    values = {
        "name": texts["name"], "kind": post.get("kind", ""), "target": texts["target"],
        "config": config if config is not None else {}, "enabled": post.get("enabled") == "on",
        **{f: post.get(f, "") for f in ("interval_seconds", "timeout_seconds", "failures_to_down",
                                        "successes_to_up", "grace_seconds")},
    }
    return values, errors


def _monitor_form(request, contract, monitor: Monitor | None):
    errors, values = {}, {}
    if request.method == "POST":
        values, errors = _form_values(request.POST)
        component_id = require_id(request.POST.get("component"), "component")
        component = access.components(contract.pk).filter(pk=component_id).first() if component_id else None
        if component_id and component is None:
            errors["component"] = _("服务目录项不存在或不属于本合同。")
        if not errors:
            try:
                if monitor is None:
                    monitor = services.create_monitor(contract, by=request.user, component=component, **values)
                    messages.success(request, _("已新建监测项。"))
                else:
                    services.update_monitor(monitor, by=request.user, component=component, **values)
                    messages.success(request, _("已保存。"))
            except ValidationError as error:
                errors = {f: " ".join(p) for f, p in error.message_dict.items()}
            else:
                return redirect("monitoring:detail", monitor.pk)
        values["component"] = component_id or ""
        values["config_text"] = request.POST.get("config", "")
    elif monitor is not None:
        values = {f: getattr(monitor, f) for f in services.EDITABLE}
        values["component"] = monitor.component_id or ""
        values["config_text"] = json.dumps(monitor.config, ensure_ascii=False, indent=2)
    else:
        values = {"kind": "http", "interval_seconds": 60, "timeout_seconds": 10, "failures_to_down": 2,
                  "successes_to_up": 2, "grace_seconds": 300, "enabled": True, "config_text": "{}"}
    return render(request, "monitoring/form.html", {
        "contract": contract, "monitor": monitor, "values": values, "errors": errors,
        "kinds": MonitorKind.choices, "components": access.components(contract.pk),
    }, status=400 if errors else 200)


@requires(Capability.MANAGE_MONITORS)
@login_required
def monitor_new(request):
    return _monitor_form(request, _contract(request, Capability.MANAGE_MONITORS), None)


@requires(Capability.MANAGE_MONITORS)
@login_required
def monitor_edit(request, pk):
    monitor = access.monitor_for(request.user, pk, Capability.MANAGE_MONITORS)
    return _monitor_form(request, monitor.contract, monitor)


def _month(request) -> dt.date:
    text = request.GET.get("month", "")
    if text:
        day = parse_date(f"{text}-01" if len(text) == 7 else text, "month")
        return day.replace(day=1)
    return clock.today().replace(day=1)


@requires(Capability.VIEW_AVAILABILITY)
@login_required
def availability_report(request):
    """Per component for one month: availability, downtime minutes, the target, and every
    outage with its start, end and evidence (the breakdown a bureau audits)."""
    contract = _contract(request, Capability.VIEW_AVAILABILITY)
    first = _month(request)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    start, end = selectors.day_bounds(first, last)
    targets = selectors.targets(contract.pk)
    rows = []
    for component in access.components(contract.pk):
        monitors = list(Monitor.objects.filter(component=component))
        if not monitors:
            continue
        figures = selectors.figures_for(monitors, contract.pk, [component.pk], start, end)
        target = targets.get(component.pk)
        rows.append({
            "component": component, "figures": figures, "target": target,
            "met": None if target is None or figures.percent is None else figures.percent >= target,
            "outages": selectors.outages(monitors, contract.pk, [component.pk], start, end),
        })
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return render(request, "monitoring/availability.html", {
        "contract": contract, "rows": rows, "first": first, "last": last, "previous": previous,
        "next": last + dt.timedelta(days=1),
        "can_vendor": can(request.user, contract.pk, Capability.VIEW_MONITORS),
    })


@requires(Capability.VIEW_AVAILABILITY)
@login_required
def maintenance_list(request):
    contract = _contract(request, Capability.VIEW_AVAILABILITY)
    windows = MaintenanceWindow.objects.filter(contract=contract).prefetch_related("components")
    return render(request, "monitoring/maintenance.html", {
        "contract": contract, "page": page_of(request, windows, PER_PAGE), "now": clock.now(),
        "can_declare": can(request.user, contract.pk, Capability.DECLARE_MAINTENANCE),
    })


@requires(Capability.DECLARE_MAINTENANCE)
@login_required
def maintenance_new(request):
    contract = _contract(request, Capability.DECLARE_MAINTENANCE)
    errors, values = {}, {}
    if request.method == "POST":
        values = request.POST
        ids = [require_id(v, "components") for v in request.POST.getlist("components")]
        chosen = list(access.components(contract.pk).filter(pk__in=[i for i in ids if i]))
        if len(chosen) != len(ids):
            errors["components"] = _("服务目录项不存在或不属于本合同。")
        try:
            start = parse_datetime(request.POST.get("start"), "start")
            end = parse_datetime(request.POST.get("end"), "end")
            reason = parse_text(request.POST.get("reason"), "reason", 300)
        except BadParameter as error:
            errors[error.field] = error.message
            start = end = None
        if not errors:
            try:
                services.declare_maintenance(contract, by=request.user, components=chosen, start=start, end=end,
                                             reason=reason,
                                             announce=request.POST.get("announce") == "on")
            except ValidationError as error:
                errors = {f: " ".join(p) for f, p in error.message_dict.items()}
            else:
                messages.success(request, _("已登记维护窗口：期间不发起告警呼叫，监测照常记录。"))
                return redirect("monitoring:maintenance")
    return render(request, "monitoring/maintenance_form.html", {
        "contract": contract, "errors": errors, "values": values, "components": access.components(contract.pk),
        "chosen": set(values.getlist("components")) if values else set(),
    }, status=400 if errors else 200)


@requires(Capability.DECLARE_MAINTENANCE)
@login_required
@require_POST
def maintenance_end(request, pk):
    window = access.window_for(request.user, pk)
    try:
        services.end_maintenance(window, by=request.user)
        messages.success(request, _("维护窗口已结束。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("monitoring:maintenance")


@requires(Capability.VIEW_AVAILABILITY)
@login_required
def bureau_status(request):
    """The bureau variant of the status page: every component, internal detail included."""
    contract = _contract(request, Capability.VIEW_AVAILABILITY)
    return render(request, "monitoring/status.html", {
        **status.page_context(contract, public=False), "contract": contract, "base": "base.html",
        "page_settings": status.page_of_contract(contract),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_MONITORS),
    })


@requires(Capability.MANAGE_MONITORS)
@login_required
def status_settings(request):
    contract = _contract(request, Capability.MANAGE_MONITORS)
    page = status.page_of_contract(contract)
    errors = {}
    if request.method == "POST":
        ids = [require_id(v, "public_components") for v in request.POST.getlist("public_components")]
        chosen = list(access.components(contract.pk).filter(pk__in=[i for i in ids if i]))
        try:
            page = status.save_settings(contract, by=request.user, title=parse_text(request.POST.get("title"), "title", 100),
                                        slug=parse_text(request.POST.get("slug"), "slug", 60), public=request.POST.get("public") == "on",
                                        components=chosen)
        except ValidationError as error:
            errors = {f: " ".join(p) for f, p in error.message_dict.items()}
        else:
            messages.success(request, _("已保存状态页设置。"))
            return redirect("monitoring:status")
    shown = {c.pk for c in page.public_components.all()} if page and page.pk else set()
    return render(request, "monitoring/status_settings.html", {
        "contract": contract, "page_settings": page, "errors": errors, "values": request.POST,
        "components": access.components(contract.pk), "shown": shown,
    }, status=400 if errors else 200)

