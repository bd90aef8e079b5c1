"""The Django admin for onboarding: per-school settings, and codes and invitations to inspect."""

from __future__ import annotations

from django.contrib import admin

from village.onboarding.models import GuardianInvitation, OnboardingSettings, PairingCode


@admin.register(OnboardingSettings)
class OnboardingSettingsAdmin(admin.ModelAdmin[OnboardingSettings]):
    list_display = [
        "school",
        "approve_student_codes",
        "approve_teacher_codes",
        "approve_admin_codes",
        "approve_invitations",
        "updated_at",
        "updated_by",
    ]
    raw_id_fields = ["school", "updated_by"]


@admin.register(PairingCode)
class PairingCodeAdmin(admin.ModelAdmin[PairingCode]):
    list_display = [
        "student",
        "hint",
        "created_by",
        "made_by",
        "expires_at",
        "redeemed_at",
        "revoked_at",
    ]
    raw_id_fields = ["student", "created_by", "redeemed_by"]
    exclude = ["digest"]


@admin.register(GuardianInvitation)
class GuardianInvitationAdmin(admin.ModelAdmin[GuardianInvitation]):
    list_display = ["student", "email", "expires_at", "accepted_at", "revoked_at"]
    raw_id_fields = ["student", "created_by", "accepted_by"]
    exclude = ["digest"]
