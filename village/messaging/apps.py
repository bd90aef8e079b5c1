from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "village.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from village.messaging import digest, kinds

        kinds.register()
        digest.register()
