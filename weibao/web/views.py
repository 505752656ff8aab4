from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from weibao.core.declarations import public
from weibao.web.home import home_context


@public("own work bench: any signed-in user; each panel asks its own capability")
@login_required
def home(request):
    return render(request, "web/home.html", home_context(request))
