"""The audit log in the Django admin: staff may read it, nobody may add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from village.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor", "action", "student", "channel", "object_type", "object_id")
    list_filter = ("action", "channel", ("at", admin.DateFieldListFilter))
    search_fields = ("actor__username", "student__username", "object_id", "path")
    date_hierarchy = "at"
    list_select_related = ("actor", "student")
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
