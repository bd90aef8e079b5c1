"""The roster pages of district and school admins: upload a OneRoster zip, follow its check,
read the report and the planned changes, confirm, and see recent imports.

Views are thin: imports are loaded through ``policies`` (what a user may not see is a 404) and
written through ``services``; the checks and the apply run in background tasks.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from village.accounts.models import User
from village.core.policies import require_page
from village.rostering import policies, selectors, services
from village.rostering.forms import RosterUploadForm, max_upload_bytes, too_big_message

#: Room for the form's other fields and the multipart boundaries around the file.
MULTIPART_OVERHEAD = 64 * 1024


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _importer(request: HttpRequest) -> User:
    """The signed-in admin; for anyone who may not import rosters these pages do not exist."""
    user = _viewer(request)
    require_page(policies.may_import(user))
    return user


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    context = {"imports": selectors.recent_imports(user)}
    return render(request, "rostering/import_list.html", context)


# The body of an upload is only read once the user is known to be an admin and the declared size
# is within the limit; the CSRF check, which reads the body, therefore runs inside the view.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    if request.method == "POST" and _declared_too_big(request):
        form = RosterUploadForm.refused(viewer=user, message=too_big_message())
        return render(request, "rostering/upload.html", {"form": form}, status=413)
    return _upload(request, user)


def _declared_too_big(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_upload_bytes() + MULTIPART_OVERHEAD


@csrf_protect
def _upload(request: HttpRequest, user: User) -> HttpResponse:
    form = RosterUploadForm(request.POST or None, request.FILES or None, viewer=user)
    if request.method == "POST" and form.is_valid():
        roster_import = services.roster_import_create(
            uploaded_by=user,
            organisation=form.cleaned_data["organisation"],
            upload=form.cleaned_data["file"],
        )
        messages.success(request, _("Thank you. Village is checking the roster now."))
        return redirect("rostering:detail", import_id=roster_import.pk)
    return render(request, "rostering/upload.html", {"form": form})


@login_required
@require_GET
def detail(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    """The import's page; htmx polls it for the live part while a task works on the import."""
    user = _importer(request)
    roster_import = policies.import_for_viewer(user, import_id)
    context = {"page": selectors.import_page(roster_import)}
    polling = bool(request.htmx) and not request.htmx.history_restore_request
    template = "rostering/_import_poll.html" if polling else "rostering/import_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def changes_download(request: HttpRequest, import_id: int) -> FileResponse:
    """Every change the check found, as CSV: for exactly those who may see the import."""
    user = _importer(request)
    roster_import = policies.changes_for_viewer(user, import_id)
    response = FileResponse(
        roster_import.changes_file.open("rb"),
        as_attachment=True,
        filename=f"roster-import-{roster_import.pk}-changes.csv",
        content_type="text/csv; charset=utf-8",
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    user = _importer(request)
    roster_import = policies.import_for_viewer(user, import_id)
    try:
        services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=user)
    except services.ImportRefusedError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Confirmed. Village is applying the roster now."))
    return redirect("rostering:detail", import_id=roster_import.pk)
