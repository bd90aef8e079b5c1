from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "village.support"
    label = "support"
    verbose_name = "Support and profiles"

    def ready(self) -> None:
        from village.support import parts

        parts.register()
