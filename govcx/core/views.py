from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcx.core.selectors import agencies_for, services_for


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    services = services_for(request.user).order_by("agency__name", "name")
    administered = list(agencies_for(request.user, "agency.manage").order_by("name"))
    return render(request, "core/home.html", {
        "services": services, "administered": {a.pk for a in administered},
        "administered_agencies": administered})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
