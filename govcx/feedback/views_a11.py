"""A-11 quarterly submission pages (filled in by the A-11 work)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcx.feedback import selectors


@login_required
def a11_list(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/a11_list.html",
                  {"submissions": selectors.a11_submissions_for(request.user)})
