from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "village.support"
    label = "support"
    verbose_name = "Support and profiles"

    def ready(self) -> None:
        from village.support import classwork_notes, parts, plan_notices, reminders, starters

        parts.register()
        plan_notices.register()
        reminders.register()
        classwork_notes.register()
        starters.register()
