from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "village.calendar"
    label = "calendar"
    verbose_name = "Calendar feeds"
