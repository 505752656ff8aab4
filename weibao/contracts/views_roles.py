"""Role management for the security administrator (安全管理员).

Separation of duties: only the security administrator grants and revokes roles —
not the system administrator, not the auditor. Every change goes through the role
services, so it is audited and 三员分立 is enforced in one place.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from weibao.accounts.models import LoginThrottle, User
from weibao.accounts.roles import AdminRole
from weibao.accounts.services import activation
from weibao.accounts.services.login import unlock
from weibao.accounts.services.roles import grant_admin_role, revoke_admin_role
from weibao.contracts.access import administrators
from weibao.contracts.models import Contract, Membership
from weibao.contracts.roles import ContractRole
from weibao.contracts.services import add_member, remove_member
from weibao.core import clock
from weibao.core.masking import mask_phone
from weibao.core.params import page_of


def _require_security_admin(request) -> None:
    if not request.user.is_security_admin:
        raise PermissionDenied


class MembershipForm(forms.Form):
    contract = forms.ModelChoiceField(
        label=gettext_lazy("合同"), queryset=Contract.objects.order_by("number")
    )
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=ContractRole.choices)


class AdminRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("管理员角色"), choices=AdminRole.choices)


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
def user_list(request):
    _require_security_admin(request)
    users = User.objects.select_related("admin_role_grant").order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(display_name__icontains=query) | Q(organisation__icontains=query)
        )
    locked = set(
        LoginThrottle.objects.filter(locked_until__gt=clock.now()).values_list("username", flat=True)
    )
    page = page_of(request, users, 50)
    rows = [
        {"user": u, "phone": mask_phone(u.phone), "locked": u.username.lower() in locked}
        for u in page.object_list
    ]
    return render(request, "contracts/roles/list.html", {"page": page, "rows": rows, "q": query})


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
def user_roles(request, pk: int):
    _require_security_admin(request)
    person = get_object_or_404(User.objects.select_related("admin_role_grant"), pk=pk)
    memberships = (
        Membership.objects.filter(user=person, active=True).select_related("contract").order_by("contract__number")
    )
    locked = LoginThrottle.objects.filter(
        username=person.username.lower(), locked_until__gt=clock.now()
    ).exists()
    return render(
        request,
        "contracts/roles/detail.html",
        {
            "person": person,
            "memberships": memberships,
            "membership_form": MembershipForm(),
            "admin_form": AdminRoleForm(auto_id="admin_%s"),
            "locked": locked,
            "may_set_active": activation.may_set_active(person, by=request.user),
        },
    )


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
@require_POST
def add_membership(request, pk: int):
    _require_security_admin(request)
    person = get_object_or_404(User, pk=pk)
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            add_member(form.cleaned_data["contract"], person, form.cleaned_data["role"], by=request.user)
            messages.success(request, _("已添加合同角色。"))
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else field}：{' '.join(errors)}")
    return redirect("roles:user", pk=person.pk)


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
@require_POST
def remove_membership(request, pk: int, membership_id: int):
    _require_security_admin(request)
    membership = get_object_or_404(Membership, pk=membership_id, user_id=pk)
    remove_member(membership, by=request.user)
    messages.success(request, _("已移除合同角色。"))
    return redirect("roles:user", pk=pk)


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
@require_POST
def set_admin_role(request, pk: int):
    _require_security_admin(request)
    person = get_object_or_404(User, pk=pk)
    if request.POST.get("action") == "revoke":
        try:
            revoke_admin_role(person, by=request.user)
            messages.success(request, _("已撤销管理员角色。"))
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        return redirect("roles:user", pk=person.pk)
    form = AdminRoleForm(request.POST, auto_id="admin_%s")
    if not form.is_valid():
        messages.error(request, _("请选择有效的管理员角色。"))
    else:
        try:
            grant_admin_role(person, form.cleaned_data["role"], by=request.user)
            messages.success(request, _("已授予管理员角色。"))
        except ValidationError as exc:
            for text in exc.message_dict.get("role", exc.messages):
                messages.error(request, text)
    return redirect("roles:user", pk=person.pk)


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
@require_POST
def set_active(request, pk: int):
    _require_security_admin(request)
    person = get_object_or_404(User.objects.select_related("admin_role_grant"), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        if activation.set_active(person, active, by=request.user):
            messages.success(request, _("账号已启用。") if active else _("账号已停用，其 API 令牌已撤销。"))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("roles:user", pk=person.pk)


@administrators(AdminRole.SECURITY_ADMIN)
@login_required
@require_POST
def unlock_user(request, pk: int):
    _require_security_admin(request)
    person = get_object_or_404(User, pk=pk)
    unlock(person.username, by=request.user)
    messages.success(request, _("已解除锁定。"))
    return redirect("roles:user", pk=person.pk)
