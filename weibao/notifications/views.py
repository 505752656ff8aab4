from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao import audit
from weibao.accounts.roles import AdminRole
from weibao.contracts.access import administrators, contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.declarations import public
from weibao.core.masking import mask_phone
from weibao.core.params import page_of, parse_choice
from weibao.notifications import access, services
from weibao.notifications.forms import ChannelForm, ContactProfileForm, RulesForm
from weibao.notifications.models import (
    Delivery,
    Notification,
    NotificationChannel,
    NotificationRule,
    Urgency,
)

PAGE_SIZE = 50


def _mine(request):
    return Notification.objects.filter(recipient=request.user)


@public("own notifications: only the signed-in user's own")
@login_required
def inbox(request):
    notes = _mine(request)
    if request.GET.get("unread") == "1":
        notes = notes.filter(read_at__isnull=True)
    page = page_of(request, notes, 30)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": request.GET.get("unread") == "1"},
    )


@public("own notifications: only the signed-in user's own")
@login_required
@require_POST
def mark_read(request, pk: int):
    note = get_object_or_404(_mine(request), pk=pk)
    if note.read_at is None:
        note.read_at = clock.now()
        note.save(update_fields=["read_at"])
    target = note.link if note.link and url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}
    ) else "notifications:inbox"
    return redirect(target)


@public("own notifications: only the signed-in user's own")
@login_required
@require_POST
def mark_all_read(request):
    _mine(request).filter(read_at__isnull=True).update(read_at=clock.now())
    return redirect("notifications:inbox")


# -- one's own contact methods and rules ------------------------------------------------


def _current_rules(user) -> dict[tuple[str, str], int]:
    own = {(u, m): d for u, m, d in NotificationRule.objects.filter(user=user).values_list("urgency", "method", "delay_minutes")}
    if own:
        return own
    return {(u, m): d for u, steps in services.DEFAULT_RULES.items() for m, d in steps}


@public("own contact methods and rules: only the signed-in user's own")
@login_required
def contact_settings(request):
    user = request.user
    profile = services.profile_of(user)
    profile_form = ContactProfileForm(request.POST or None, instance=profile, prefix="p")
    rules_form = RulesForm(request.POST or None, current=_current_rules(user), prefix="r")
    if request.method == "POST" and profile_form.is_valid() and rules_form.is_valid():
        with transaction.atomic():
            saved = profile_form.save(commit=False)
            saved.user = user
            saved.updated_at = clock.now()
            saved.save()
            NotificationRule.objects.filter(user=user).delete()
            NotificationRule.objects.bulk_create([
                NotificationRule(user=user, urgency=u, method=m, delay_minutes=d) for u, m, d in rules_form.rules()
            ])
            # Personal data (mobile numbers): who changed them, not the numbers themselves.
            audit.record("notification.contact.save", obj=saved, actor=user,
                         detail={"fields": sorted(profile_form.changed_data), "rules": len(rules_form.rules())})
        messages.success(request, _("联系方式与通知规则已保存。"))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {
        "profile_form": profile_form, "rules_form": rules_form, "urgencies": Urgency.choices,
        "methods": NotificationRule.Method.choices, "account_email": user.email,
    })


@public("own contact methods: sends a test only to the signed-in user")
@login_required
@require_POST
def contact_test(request):
    urgency = parse_choice(request.POST.get("urgency"), "urgency", Urgency.values) or Urgency.NORMAL
    note = services.send_test(request.user, urgency)
    count = note.deliveries.count() if note is not None else 0
    if count:
        messages.success(request, _("测试通知已提交发送（%(n)d 个渠道），请查收；结果见下方。") % {"n": count})
    else:
        messages.warning(request, _("该紧急程度没有可用的联系方式，测试通知只进入了站内通知。"))
    return redirect("notifications:settings")


# -- the delivery log ---------------------------------------------------------------------


def _failures_first(deliveries):
    order = Case(
        When(status=Delivery.Status.FAILED, then=Value(0)),
        When(status=Delivery.Status.PENDING, then=Value(1)),
        default=Value(2), output_field=IntegerField(),
    )
    return deliveries.annotate(failures_first=order).order_by("failures_first", "-created_at", "-id")


def _delivery_page(request, deliveries, context):
    status = parse_choice(request.GET.get("status"), "status", Delivery.Status.values)
    channel = parse_choice(request.GET.get("channel"), "channel", Delivery.Channel.values)
    if status:
        deliveries = deliveries.filter(status=status)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    page = page_of(request, _failures_first(deliveries.select_related("target", "notification__recipient")), PAGE_SIZE)
    for delivery in page.object_list:
        # Team members' mobiles are personal data: the log shows them masked.
        delivery.shown_address = (
            mask_phone(delivery.address) if delivery.channel in (Delivery.Channel.SMS, Delivery.Channel.VOICE)
            else delivery.address
        )
        delivery.shown_subject = delivery.subject or (delivery.notification.subject if delivery.notification else "")
    context.update({
        "page": page, "status": status or "", "channel": channel or "",
        "statuses": Delivery.Status.choices, "channels": Delivery.Channel.choices,
        "failed": deliveries.filter(status=Delivery.Status.FAILED).count(),
    })
    return render(request, "notifications/deliveries.html", context)


@requires(Capability.MANAGE_DELIVERIES)
@login_required
def delivery_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_DELIVERIES)
    return _delivery_page(request, Delivery.objects.filter(contract=contract), {"contract": contract, "platform": False})


@requires(Capability.MANAGE_DELIVERIES)
@login_required
@require_POST
def delivery_retry(request, pk: int):
    delivery = access.delivery_for(request.user, pk)
    _retried(request, services.retry_now(delivery, by=request.user))
    return redirect("notifications:deliveries")


def _retried(request, queued: bool) -> None:
    if queued:
        messages.success(request, _("已重新排队发送，稍后刷新查看结果。"))
    else:
        messages.info(request, _("这条通知已发出、已取消或正在发送中，未重复排队。"))


@administrators(AdminRole.SYSTEM_ADMIN)
@login_required
def platform_delivery_list(request):
    _require_system_admin(request)
    return _delivery_page(request, Delivery.objects.filter(contract__isnull=True), {"contract": None, "platform": True})


@administrators(AdminRole.SYSTEM_ADMIN)
@login_required
@require_POST
def platform_delivery_retry(request, pk: int):
    _require_system_admin(request)
    delivery = get_object_or_404(Delivery, pk=pk, contract__isnull=True)
    _retried(request, services.retry_now(delivery, by=request.user))
    return redirect("notifications:platform_deliveries")


def _require_system_admin(request):
    if not request.user.is_system_admin:
        raise PermissionDenied(_("仅系统管理员可以查看平台级通知发送记录。"))


# -- the contract's channels ----------------------------------------------------------------


@requires(Capability.MANAGE_CHANNELS)
@login_required
def channel_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_CHANNELS)
    return render(request, "notifications/channels.html", {
        "contract": contract, "channels": NotificationChannel.objects.filter(contract=contract),
        "platform_gateway": NotificationChannel.objects.filter(
            contract__isnull=True, kind=NotificationChannel.Kind.GATEWAY, active=True).exists(),
    })


@requires(Capability.MANAGE_CHANNELS)
@login_required
def channel_edit(request, pk: int | None = None):
    if pk is None:
        contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_CHANNELS)
        channel = NotificationChannel(contract=contract)
    else:
        channel = access.channel_for(request.user, pk)
        contract = channel.contract
    form = ChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit.record("notification.channel.save", obj=saved, actor=request.user, contract=contract, detail={
                "kind": saved.kind, "name": saved.name, "active": saved.active,
                "changed": sorted(f for f in form.changed_data if f not in ("endpoint_input", "secret_input")),
                "endpoint_changed": bool(form.cleaned_data.get("endpoint_input")),
                "secret_changed": bool(form.cleaned_data.get("secret_input") or form.cleaned_data.get("clear_secret")),
            })
        messages.success(request, _("通知渠道已保存。"))
        return redirect("notifications:channels")
    return render(request, "notifications/channel_form.html", {"form": form, "channel": channel, "contract": contract})


@requires(Capability.MANAGE_CHANNELS)
@login_required
@require_POST
def channel_test(request, pk: int):
    channel = access.channel_for(request.user, pk)
    if channel.kind == NotificationChannel.Kind.GATEWAY:
        messages.info(request, _("网关请在“我的通知设置”中用“给我发一条测试”验证。"))
        return redirect("notifications:channels")
    services.notify(
        [request.user], subject=_("维保通知渠道测试：%(name)s") % {"name": channel.name},
        body=_("如果群里看到了这条消息，说明渠道配置正确。"), contract=channel.contract,
        kind="notification.channel_test", channel_ids=[channel.pk], urgency=Urgency.LOW,
    )
    audit.record("notification.channel.test", obj=channel, actor=request.user, contract=channel.contract)
    messages.success(request, _("测试消息已排队发送，结果见发送记录。"))
    return redirect("notifications:deliveries")
