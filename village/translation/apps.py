from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class TranslationConfig(AppConfig):
    name = "village.translation"
    label = "translation"
    verbose_name = "Translation"

    def worker_pass(self, now: dt.datetime) -> dict[str, int]:
        """Translate what is due: texts saved since, texts to translate again after a glossary
        change, and retries whose back-off is over."""
        from village.translation import worker

        return worker.run(now)
