from django.contrib import admin

from village.notifications.models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["recipient", "kind", "title", "created_at", "read_at", "email_mode"]
    list_filter = ["kind", "email_mode"]
    raw_id_fields = ["recipient", "child"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["address", "channel", "kind", "state", "attempts", "due_at", "sent_at"]
    list_filter = ["state", "channel", "kind"]
    raw_id_fields = ["recipient", "notification"]
    search_fields = ["address"]
