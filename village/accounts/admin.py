"""The Django admin for staff: people, their invitations and their API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from village.accounts import services, tokens
from village.accounts.models import Invitation, PersonalToken, User


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _send_invitations(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, users: Iterable[User]
) -> None:
    """Invite each user, reporting (not failing on) those who cannot be invited."""
    inviter = request.user if isinstance(request.user, User) else None
    sent = 0
    for user in users:
        try:
            services.invitation_send(user=user, invited_by=inviter, base_url=_base_url(request))
        except ValidationError as error:
            message = f"{user.username}: {'; '.join(error.messages)}"
            model_admin.message_user(request, message, messages.WARNING)
        else:
            sent += 1
    text = ngettext("Sent %(count)d invitation.", "Sent %(count)d invitations.", sent)
    model_admin.message_user(request, text % {"count": sent}, messages.SUCCESS)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "status", "preferred_language", "is_staff")
    list_filter = ("status", "is_active", "is_staff", "is_superuser", "preferred_language")
    search_fields = ("username", "first_name", "last_name", "preferred_name", "email", "sourced_id")
    readonly_fields = ("sourced_id", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Name and contact"),
            {
                "fields": (
                    "first_name",
                    "middle_name",
                    "last_name",
                    "preferred_name",
                    "pronouns",
                    "email",
                    "phone",
                )
            },
        ),
        (_("Profile"), {"fields": ("preferred_language", "timezone", "grade")}),
        (_("Roster"), {"fields": ("sourced_id", "status")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    actions = ("send_invitation",)

    @admin.action(description=_("Send an invitation to choose a password"))
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        _send_invitations(self, request, queryset)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("user", "created_by", "created_at", "expires_at", "state")
    list_filter = ("created_at", "expires_at")
    search_fields = ("user__username", "user__email", "user__last_name")
    list_select_related = ("user", "created_by")
    readonly_fields = ("user", "created_by", "digest", "expires_at", "accepted_at", "revoked_at")
    actions = ("send_new_invitation",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an invitation is made by the action below, which emails its secret

    @admin.display(description=_("state"))
    def state(self, invitation: Invitation) -> str:
        return str(services.invitation_state(invitation).label)

    @admin.action(description=_("Send a new invitation"))
    def send_new_invitation(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        users = {invitation.user for invitation in queryset.select_related("user")}
        _send_invitations(self, request, users)


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin[PersonalToken]):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "created_at")
    search_fields = ("name", "prefix", "user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only its owner can create a token: the secret is shown to them alone

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[PersonalToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.token_revoke(token=token)
            count += 1
        text = ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count)
        self.message_user(request, text % {"count": count}, messages.SUCCESS)
