from django.contrib import admin

from village.conferences.models import Booking, ConferenceRound, Slot


@admin.register(ConferenceRound)
class ConferenceRoundAdmin(admin.ModelAdmin[ConferenceRound]):
    list_display = ["title", "school", "opens_at", "closes_at", "published", "households_apart"]
    list_filter = ["published", "households_apart", "school"]
    search_fields = ["title", "school__name"]
    raw_id_fields = ["school", "created_by"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin[Slot]):
    list_display = ["teacher", "starts_at", "minutes", "mode", "round", "cancelled_at"]
    list_filter = ["mode", "round__school"]
    search_fields = ["teacher__last_name", "round__title"]
    raw_id_fields = ["round", "teacher", "school_class"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin[Booking]):
    list_display = [
        "child",
        "teacher",
        "guardian",
        "household",
        "state",
        "sequence",
        "interpreter_language",
    ]
    list_filter = ["state", "round__school"]
    search_fields = ["child__last_name", "guardian__last_name", "teacher__last_name"]
    raw_id_fields = ["slot", "round", "teacher", "child", "guardian", "cancelled_by"]
