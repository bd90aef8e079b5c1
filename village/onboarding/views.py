"""Onboarding pages: families pair with a code or follow an invitation; staff issue codes,
print a class's code sheet, invite guardians and approve new links; admins set how each school
lets families link.

Views are thin: they load students and classes through ``policies`` (what a user may not touch
is a 404) and write through ``services``.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from village.accounts.models import User
from village.community.models import GuardianLink, LinkStatus, Organisation, SchoolClass
from village.core.audit import Viewed, audit_views
from village.core.clientip import client_key
from village.core.models import AuditAction
from village.core.policies import require_page
from village.core.text import spreadsheet_safe
from village.notifications import selectors as notification_selectors
from village.notifications.forms import SchoolNotificationsForm
from village.notifications.services.school import school_notifications_update
from village.onboarding import policies, selectors, services
from village.onboarding.forms import (
    InvitationSignupForm,
    InviteForm,
    OnboardingSettingsForm,
    RedeemForm,
    SheetChoice,
    SignupConfirmForm,
    SignupForm,
)
from village.onboarding.models import PairingCode
from village.onboarding.services import (
    AlreadyLinkedError,
    CodeRefusedError,
    ConfirmationInvalidError,
    InvitationNotFoundError,
    InvitationUnavailableError,
    NoSchoolError,
    NotEligibleError,
    TooManyAttemptsError,
    WrongAccountError,
)

#: Signs in an account whose password was just chosen (django-axes has no say then).
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
TOO_MANY_REQUESTS = 429


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _ip(request: HttpRequest) -> str:
    """The client as the pairing-code limiter counts it (an IPv6 /64 is one client)."""
    return client_key(request)


def _refused_message() -> str:
    return _(
        "This code does not work. It may be mistyped, already used, expired or withdrawn. "
        "Check it, or ask the school for a new one."
    )


def _no_school_message() -> str:
    return _(
        "This child is not at a school in Village at the moment, so no family can be linked "
        "now. Ask the school for help."
    )


def _too_many_message() -> str:
    return _("Too many codes that did not work. For your safety, please wait 15 minutes.")


def _linked_message(link: GuardianLink) -> str:
    name = link.student.short_name
    if link.status == LinkStatus.PENDING:
        return _("Thank you. The school will confirm your link to %(name)s.") % {"name": name}
    return _("You are now linked to %(name)s.") % {"name": name}


# --- families --------------------------------------------------------------------------------


def _redeem_page(
    request: HttpRequest, form: RedeemForm, *, status: int = 200, notice: str = ""
) -> HttpResponse:
    user = _viewer(request)
    context = {
        "form": form,
        "notice": notice,
        "eligible": policies.may_redeem_codes(user),
        "pending": selectors.pending_links_of(user).select_related("student"),
        "children": selectors.own_children_links(user),
    }
    return render(request, "onboarding/redeem.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _redeem_page(request, RedeemForm())
    form = RedeemForm(request.POST)
    if not form.is_valid():
        return _redeem_page(request, form)
    try:
        link = services.pairing_code_redeem(
            user=_viewer(request), raw_code=form.cleaned_data["code"], ip_address=_ip(request)
        )
    except TooManyAttemptsError:
        return _redeem_page(request, form, status=TOO_MANY_REQUESTS, notice=_too_many_message())
    except NotEligibleError:
        return _redeem_page(request, form, status=403)
    except CodeRefusedError:
        form.add_error("code", _refused_message())
        return _redeem_page(request, form)
    except NoSchoolError:
        form.add_error("code", _no_school_message())
        return _redeem_page(request, form)
    except AlreadyLinkedError as error:
        form.add_error(
            "code",
            _("You are already linked to %(name)s.") % {"name": error.student.short_name},
        )
        return _redeem_page(request, form)
    messages.success(request, _linked_message(link))
    return redirect("onboarding:redeem")


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("onboarding:redeem")
    form = SignupForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "onboarding/signup.html", {"form": form})
    email = form.cleaned_data["email"]
    try:
        services.guardian_signup(
            data=form.signup_data(email),
            raw_code=form.cleaned_data["code"],
            ip_address=_ip(request),
            base_url=request.build_absolute_uri("/"),
        )
    except TooManyAttemptsError:
        context = {"form": form, "notice": _too_many_message()}
        return render(request, "onboarding/signup.html", context, status=TOO_MANY_REQUESTS)
    except ValidationError as error:
        form.add_service_errors(error)
        return render(request, "onboarding/signup.html", {"form": form})
    except CodeRefusedError:
        form.add_error("code", _refused_message())
        return render(request, "onboarding/signup.html", {"form": form})
    except NoSchoolError:
        form.add_error("code", _no_school_message())
        return render(request, "onboarding/signup.html", {"form": form})
    # The same answer whether the address was new or already had an account.
    return render(request, "onboarding/signup_sent.html", {"email": email})


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A page asking for the password chosen at sign-up (a mail scanner that opens the link
    confirms nothing, and neither does someone who reads the mailbox but did not sign up)."""
    try:
        services.guardian_signup_pending(uidb64=uidb64, token=token)
    except ConfirmationInvalidError:
        return render(request, "onboarding/signup_confirm.html", {"invalid": True}, status=410)
    form = SignupConfirmForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "onboarding/signup_confirm.html", {"form": form})
    try:
        user = services.guardian_signup_confirm(
            uidb64=uidb64, token=token, password=form.cleaned_data["password"]
        )
    except ConfirmationInvalidError:
        return render(request, "onboarding/signup_confirm.html", {"invalid": True}, status=410)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for message in error.message_dict.get("password", []):
                form.add_error("password", message)
        else:
            for message in error.messages:
                form.add_error(None, message)
        return render(request, "onboarding/signup_confirm.html", {"form": form})
    login(request, user, backend=PASSWORD_BACKEND)
    with translation.override(user.ui_language):
        messages.success(request, _("Your email address is confirmed. Welcome to Village!"))
    return redirect("onboarding:redeem")


def _welcome(request: HttpRequest, user: User, link: GuardianLink) -> HttpResponse:
    login(request, user, backend=PASSWORD_BACKEND)
    with translation.override(user.ui_language):
        messages.success(request, _linked_message(link))
    return redirect("onboarding:redeem")


# --- invitations -----------------------------------------------------------------------------


def _invitation_unusable(request: HttpRequest, error: Exception) -> HttpResponse:
    """404 for a link that never existed, 410 for one that was used, withdrawn or expired."""
    state = error.state if isinstance(error, InvitationUnavailableError) else None
    return render(
        request,
        "onboarding/invitation_unusable.html",
        {"state": state},
        status=404 if state is None else 410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    try:
        invitation = services.guardian_invitation_get_open(secret=secret)
    except (InvitationNotFoundError, InvitationUnavailableError) as error:
        return _invitation_unusable(request, error)
    if request.user.is_authenticated:
        return _invitation_for_account(request, secret, invitation)
    account_exists = User.objects.filter(email__iexact=invitation.email, is_active=True).exists()
    form = InvitationSignupForm(request.POST or None, initial={"language": invitation.language})
    context = {"invitation": invitation, "form": form, "account_exists": account_exists}
    if account_exists or request.method != "POST" or not form.is_valid():
        return render(request, "onboarding/invitation.html", context)
    try:
        user, link = services.guardian_invitation_signup(
            secret=secret, data=form.signup_data(invitation.email)
        )
    except (InvitationNotFoundError, InvitationUnavailableError) as error:
        return _invitation_unusable(request, error)
    except ValidationError as error:
        form.add_service_errors(error)
        return render(request, "onboarding/invitation.html", context)
    except NoSchoolError:
        form.add_error(None, _no_school_message())
        return render(request, "onboarding/invitation.html", context)
    return _welcome(request, user, link)


def _invitation_for_account(request: HttpRequest, secret: str, invitation: Any) -> HttpResponse:
    user = _viewer(request)
    context: dict[str, Any] = {"invitation": invitation, "signed_in": True}
    if request.method != "POST":
        return render(request, "onboarding/invitation.html", context)
    try:
        link = services.guardian_invitation_accept(secret=secret, user=user)
    except (InvitationNotFoundError, InvitationUnavailableError) as error:
        return _invitation_unusable(request, error)
    except WrongAccountError:
        context["error"] = _(
            "This invitation was sent to another email address. Sign out, then open the link "
            "again and sign in with that address or create an account."
        )
    except NotEligibleError:
        context["error"] = _("Student and staff accounts cannot be linked as a guardian.")
    except NoSchoolError:
        context["error"] = _no_school_message()
    except AlreadyLinkedError as error:
        context["error"] = _("You are already linked to %(name)s.") % {
            "name": error.student.short_name
        }
    else:
        messages.success(request, _linked_message(link))
        return redirect("onboarding:redeem")
    return render(request, "onboarding/invitation.html", context, status=400)


# --- one student -----------------------------------------------------------------------------


def _student_page(
    request: HttpRequest,
    student: User,
    *,
    invite_form: InviteForm | None = None,
    new_code: services.IssuedCode | None = None,
) -> HttpResponse:
    user = _viewer(request)
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[_viewed(student)],
        request=request,
    )
    may_invite = policies.may_invite_guardians(user, student)
    context = {
        "student": student,
        "codes": selectors.student_codes(student),
        "new_code": new_code,
        "may_invite": may_invite,
        "invite_form": invite_form or (InviteForm() if may_invite else None),
    }
    response = render(request, "onboarding/student.html", context)
    add_never_cache_headers(response)  # the page may show a new code once
    return response


def _viewed(student: User) -> Viewed:
    school = services.student_school(student)
    return Viewed(student_id=student.pk, organisation_id=school.pk if school else None)


@login_required
def student_page(request: HttpRequest, student_id: int) -> HttpResponse:
    student = policies.student_for_onboarding(_viewer(request), student_id)
    return _student_page(request, student)


@login_required
@require_POST
def code_create(request: HttpRequest, student_id: int) -> HttpResponse:
    user = _viewer(request)
    student = policies.student_for_onboarding(user, student_id)
    issued = services.pairing_code_create(student=student, created_by=user)
    return _student_page(request, student, new_code=issued)


@login_required
@require_POST
def code_revoke(request: HttpRequest, student_id: int, code_id: int) -> HttpResponse:
    user = _viewer(request)
    student = policies.student_for_onboarding(user, student_id)
    code = PairingCode.objects.filter(pk=code_id, student=student).first()
    if code is None:
        return _student_page(request, student)
    services.pairing_code_revoke(code=code, revoked_by=user)
    messages.success(request, _("The code ending in %(hint)s is revoked.") % {"hint": code.hint})
    return redirect("onboarding:student", student_id=student.pk)


@login_required
@require_POST
def invite(request: HttpRequest, student_id: int) -> HttpResponse:
    user = _viewer(request)
    student = policies.student_for_onboarding(user, student_id)
    if not policies.may_invite_guardians(user, student):
        return _student_page(request, student)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _student_page(request, student, invite_form=form)
    invitation = services.guardian_invitation_send(
        student=student,
        invited_by=user,
        data=form.invitation_data(),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    sent = _("An invitation was sent to %(email)s.") % {"email": invitation.email}
    messages.success(request, sent)
    return redirect("onboarding:student", student_id=student.pk)


# --- a class's code sheet --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def class_codes(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = policies.class_for_code_sheet(user, class_id)
    form = SheetChoice(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "onboarding/class_codes.html", {"form": form, "school_class": school_class}
        )
    choice = form.choice()
    students = list(selectors.sheet_students(school_class, everyone=choice["everyone"]))
    issued = services.pairing_codes_create(
        students=students, created_by=user, school=school_class.school
    )
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(
                student_id=item.code.student_id,
                organisation_id=school_class.school_id,
                object_type="pairing_code",
                object_id=str(item.code.pk or ""),
            )
            for item in issued
        ],
        request=request,
    )
    rows = [_sheet_row(item, school_class) for item in issued]
    response = _sheet_csv(school_class, rows) if choice["csv"] else _sheet_page(request, rows)
    add_never_cache_headers(response)
    return response


def _sheet_row(item: services.IssuedCode, school_class: SchoolClass) -> dict[str, Any]:
    student = item.code.student
    return {
        "student": student,
        "school_class": school_class,
        "code": item.display,
        "expires_at": item.code.expires_at,
        "spanish": selectors.speaks_spanish(student),
    }


def _sheet_page(request: HttpRequest, rows: list[dict[str, Any]]) -> HttpResponse:
    return render(
        request,
        "onboarding/class_sheet.html",
        {"rows": rows, "signup_url": request.build_absolute_uri(reverse("onboarding:signup"))},
    )


def _sheet_csv(school_class: SchoolClass, rows: list[dict[str, Any]]) -> HttpResponse:
    filename = f"pairing-codes-{slugify(school_class.title) or school_class.pk}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["student", "class", "code", "expires"])
    for row in rows:
        expires = timezone.localtime(row["expires_at"]).date().isoformat()
        writer.writerow(
            [
                spreadsheet_safe(row["student"].display_name),
                spreadsheet_safe(school_class.title),
                row["code"],
                expires,
            ]
        )
    return response


# --- approvals -------------------------------------------------------------------------------


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    require_page(policies.may_approve_links(user))
    context = {
        "links": selectors.approval_queue(user),
        "schools": selectors.settings_of_administered_schools(user),
    }
    return render(request, "onboarding/approvals.html", context)


@login_required
@require_POST
def approval_decide(request: HttpRequest, link_id: int, approve: bool) -> HttpResponse:
    user = _viewer(request)
    link = policies.pending_link_for_approver(user, link_id)
    names = {"guardian": link.guardian.display_name, "student": link.student.display_name}
    if approve:
        services.guardian_link_approve(link=link, approved_by=user)
        messages.success(request, _("%(guardian)s is now linked to %(student)s.") % names)
    else:
        services.guardian_link_decline(link=link, declined_by=user)
        messages.success(request, _("The link of %(guardian)s to %(student)s is declined.") % names)
    return redirect("onboarding:approvals")


# --- a school's settings for new links -------------------------------------------------------


def _settings_page(
    request: HttpRequest,
    school: Organisation,
    *,
    form: OnboardingSettingsForm | None = None,
    notifications_form: SchoolNotificationsForm | None = None,
) -> HttpResponse:
    """The school's settings page: new family links, and family notifications."""
    current = selectors.school_settings(school)
    context = {
        "school": school,
        "form": form
        or OnboardingSettingsForm(initial=OnboardingSettingsForm.initial_from(current)),
        "current": current,
        "notifications_form": notifications_form or _notifications_form(school),
    }
    return render(request, "onboarding/school_settings.html", context)


def _notifications_form(school: Organisation, data: Any = None) -> SchoolNotificationsForm:
    found = notification_selectors.school_notifications(school)
    rows = [
        (row.kind, row.enabled, row.threshold, row.weeks, "school" if row.set_by_school else "")
        for row in found.defaults
    ]
    initial = {
        "digest_weekday": found.settings.digest_weekday,
        "digest_hour": found.settings.digest_hour,
        "weekly_email_budget": found.settings.weekly_email_budget,
    }
    return SchoolNotificationsForm(data, rows=rows, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def school_settings(request: HttpRequest, school_id: int) -> HttpResponse:
    user = _viewer(request)
    school = policies.school_for_settings(user, school_id)
    if request.method != "POST":
        return _settings_page(request, school)
    form = OnboardingSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.onboarding_settings_update(
                school=school,
                approvals=form.approvals(),
                default_scopes=form.cleaned_data["default_scopes"],
                changed_by=user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            saved = _("The settings for new family links at %(school)s are saved.")
            messages.success(request, saved % {"school": school.name})
            return redirect("onboarding:school_settings", school_id=school.pk)
    return _settings_page(request, school, form=form)


@login_required
@require_POST
def school_notifications(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's family notifications: its default per alert, and its weekly digest."""
    school = policies.school_for_settings(_viewer(request), school_id)
    form = _notifications_form(school, request.POST)
    if form.is_valid():
        try:
            school_notifications_update(
                school=school,
                defaults=form.defaults(),
                digest_weekday=form.cleaned_data["digest_weekday"],
                digest_hour=form.cleaned_data["digest_hour"],
                weekly_email_budget=form.cleaned_data["weekly_email_budget"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            saved = _("The family notifications of %(school)s are saved.")
            messages.success(request, saved % {"school": school.name})
            return redirect("onboarding:school_settings", school_id=school.pk)
    return _settings_page(request, school, notifications_form=form)
