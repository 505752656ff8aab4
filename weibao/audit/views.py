from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from weibao.audit.selectors import records_visible_to


@login_required
def audit_list(request):
    records = records_visible_to(request.user)
    if records is None:
        raise PermissionDenied
    return render(request, "audit/list.html", {"records": records[:100]})
