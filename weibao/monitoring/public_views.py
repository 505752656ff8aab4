"""What needs no account: the public status page and the heartbeat pings."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from weibao.core.declarations import public
from weibao.monitoring import services, status
from weibao.monitoring.models import StatusPage


@public("the public status page: components' state and availability, no personal or internal data")
@never_cache
def public_status(request, slug):
    page = get_object_or_404(StatusPage.objects.select_related("contract"), slug=slug, public=True)
    return render(request, "monitoring/status.html", {
        **status.page_context(page.contract, public=True, page=page), "page_settings": page,
        "base": "monitoring/public_base.html",
    })


# A cron job pings with curl or wget: no session, no CSRF token; the unguessable key
# (a UUID) is the only credential, as in healthchecks.
@public("heartbeat ping: a cron job or batch task reports with its monitor's secret key")
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def ping(request, key, signal: str = "success"):
    monitor = services.record_ping(key, signal)
    if monitor is None:
        raise Http404
    return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")
