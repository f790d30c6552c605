"""An agency's settings, changed by its administrators (agency.manage): whether survey
responses keep the respondent's IP address (off unless the agency turns it on; A-11
feedback is anonymous by default). Audited ("core.agency.settings")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govcx.core.models import Agency
from govcx.core.selectors import agencies_for
from govcx.core.services import agency_settings_set


@login_required
@require_http_methods(["GET", "POST"])
def agency_settings(request: HttpRequest, agency_id: int) -> HttpResponse:
    try:
        agency = agencies_for(request.user, "agency.manage").get(pk=agency_id)
    except Agency.DoesNotExist as exc:
        raise Http404(_("No such agency, or you do not administer it.")) from exc
    if request.method == "POST":
        changed = agency_settings_set(
            agency=agency, request=request,
            record_ip_addresses=request.POST.get("record_ip_addresses") == "1")
        messages.success(request, _("Saved.") if changed else _("Nothing changed."))
        return redirect("core:agency_settings", agency.pk)
    return render(request, "core/agency_settings.html", {"agency": agency})
