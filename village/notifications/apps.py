from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "village.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from village.notifications import family, kinds, panels_staff
        from village.notifications.services import digests

        kinds.register()
        family.register()
        panels_staff.register()
        digests.register()

    def worker_pass(self, now: dt.datetime) -> dict[str, int]:
        """Alerts whose hold is over, the sweeps that are due, then the deliveries due. A
        worker started with ``VILLAGE_WORKER_SWEEPS=0`` only delivers: a deployment that needs
        more sending runs more of those beside one that also looks at alerts and sweeps."""
        from django.conf import settings

        from village.notifications import delivery
        from village.notifications.services import alerts, sweeps

        alerts_written = swept = 0
        if settings.VILLAGE_WORKER_SWEEPS:
            alerts_written = alerts.run_checks(now=now)
            swept = sweeps.run_due(now)
        outcome = delivery.deliver_due()
        return {
            "alerts": alerts_written,
            "swept": swept,
            "sent": outcome.sent,
            "retried": outcome.retried,
            "failed": outcome.failed,
        }

    def purge_expired(self, now: dt.datetime) -> dict[str, int]:
        from village.notifications.retention import purge

        return purge(now)
