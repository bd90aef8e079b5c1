from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "village.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from village.messaging import digest, kinds

        kinds.register()
        digest.register()

    def purge_expired(self, now: dt.datetime) -> dict[str, int]:
        from village.messaging.retention import purge

        return purge(now)
