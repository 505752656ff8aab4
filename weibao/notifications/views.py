from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from weibao.core import clock
from weibao.core.declarations import public
from weibao.core.params import page_of
from weibao.notifications.models import Notification


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
