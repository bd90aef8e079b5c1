"""Account pages: sign in and out, passwords, invitations, profile and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from village.accounts import policies, services, tokens
from village.accounts.forms import (
    LocalizedPasswordResetForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    TokenCreateForm,
)
from village.accounts.models import User
from village.accounts.services import InvitationNotFoundError, InvitationUnavailableError
from village.core.clientip import client_key

#: ``ModelBackend`` signs in a user whose password was just set (django-axes has no say then).
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AuthenticatedRequest(HttpRequest):
    user: User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST (with its CSRF token): a link or an image cannot sign anyone out."""


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalizedPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Form) -> HttpResponse:
        """The same answer whatever happens; beyond the limits no email is queued."""
        allowed = services.password_reset_allowed(
            email=form.cleaned_data["email"], client_address=client_key(self.request)
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        services.login_failures_clear(user=self.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        revoked = tokens.tokens_active_count(user=form.user)
        response = super().form_valid(form)  # saving the password revokes the tokens
        messages.success(self.request, _("Your password is changed."))
        if revoked:
            messages.info(
                self.request,
                ngettext(
                    "Your API token was revoked with your old password.",
                    "Your %(count)d API tokens were revoked with your old password.",
                    revoked,
                )
                % {"count": revoked},
            )
        return response


def _invitation_unusable(request: HttpRequest, error: Exception) -> HttpResponse:
    """404 for a link that never existed, 410 for one that was used, replaced or expired."""
    state = error.state if isinstance(error, InvitationUnavailableError) else None
    return render(
        request,
        "accounts/invitation_unusable.html",
        {"state": state, "states": services.InvitationState},
        status=404 if state is None else 410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    try:
        invitation = services.invitation_get_open(secret=secret)
    except (InvitationNotFoundError, InvitationUnavailableError) as error:
        return _invitation_unusable(request, error)
    form = NewPasswordForm(request.POST) if request.method == "POST" else NewPasswordForm()
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                secret=secret, password=form.cleaned_data["password1"]
            )
        except (InvitationNotFoundError, InvitationUnavailableError) as error:
            return _invitation_unusable(request, error)
        except ValidationError as error:
            form.add_error("password1", error.error_dict["password"])
        else:
            login(request, user, backend=PASSWORD_BACKEND)
            with translation.override(user.ui_language):
                messages.success(request, _("Welcome to Village! Your password is set."))
            return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    context = {"invitation": invitation, "invitee": invitation.user, "form": form}
    return render(request, "accounts/invitation_accept.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST) if request.method == "POST" else ProfileForm.for_user(user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, data=form.profile_data())
        # The next page is in the language just chosen; so is the message it shows.
        with translation.override(user.ui_language):
            messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def _tokens_page(
    request: AuthenticatedRequest, form: TokenCreateForm, new_secret: str | None = None
) -> HttpResponse:
    rows = [(token, services.token_status(token)) for token in request.user.tokens.all()]
    context = {
        "form": form,
        "rows": rows,
        "states": services.TokenStatus,
        "token_prefix": tokens.TOKEN_PREFIX,
        "new_secret": new_secret,
    }
    response = render(request, "accounts/tokens.html", context)
    add_never_cache_headers(response)  # the one page that shows a secret must not be cached
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form)
    _token, secret = tokens.token_create(
        user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
    )
    return _tokens_page(request, TokenCreateForm(), new_secret=secret)


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = policies.token_for_editor(request.user, token_id)
    tokens.token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
