"""Translations kept per school, and each school's glossary.

A ``Translation`` is one text in one target language, keyed by school, source and target
language (``village.translation.languages.key``), the SHA-256 of what was asked (the text, its
kind and the names kept) and the school's glossary version: a change to the glossary gives the
school a new version, so what was translated under the old one is no longer found and is
translated again (``village.translation.worker``). Rows are written when a text is saved
(``services.request``) and computed by ``village worker``; pages only read them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from village.community.models import Organisation
from village.core.models import TimeStampedModel


class TranslationState(models.TextChoices):
    PENDING = "pending", _("On its way")
    DONE = "done", _("Translated")
    FAILED = "failed", _("Failed")
    UNSUPPORTED = "unsupported", _("No engine for the pair")


class Translation(TimeStampedModel):
    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source_language = models.CharField(max_length=16)
    target_language = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)
    glossary_version = models.PositiveIntegerField(default=0)
    #: What was written, as asked: HTML or plain text, and the names kept as written.
    source = models.TextField()
    is_html = models.BooleanField(default=False)
    keep = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=16, choices=TranslationState.choices, default=TranslationState.PENDING
    )
    text = models.TextField(blank=True)
    #: Words the engine could not translate: the translation is uncertain.
    uncertain = models.JSONField(default=list, blank=True)
    engine = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    translated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "school",
                    "source_language",
                    "target_language",
                    "digest",
                    "glossary_version",
                ],
                name="translation_unique_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "unsupported"]),
                name="translation_due",
            ),
            models.Index(fields=["school", "glossary_version"], name="translation_school_version"),
        ]

    def __str__(self) -> str:
        return f"{self.source_language}→{self.target_language} {self.digest[:8]} ({self.state})"


class GlossaryRule(models.TextChoices):
    KEEP = "keep", _("Keep as written")
    TRANSLATE_AS = "translate_as", _("Always translate as")


class GlossaryTerm(TimeStampedModel):
    """A term a school wants kept as written, or always translated one way, into one language
    (``target_language``) or, to keep it, into every language (blank)."""

    school = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="glossary_terms"
    )
    term = models.CharField(pgettext_lazy("glossary", "term"), max_length=100)
    source_language = models.CharField(_("language written in"), max_length=16, default="en")
    rule = models.CharField(_("glossary rule"), max_length=16, choices=GlossaryRule.choices)
    target_language = models.CharField(_("language translated into"), max_length=16, blank=True)
    replacement = models.CharField(_("translation of the term"), max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["term", "target_language", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("term"),
                "school",
                "source_language",
                "target_language",
                name="glossary_term_unique",
            ),
            models.CheckConstraint(
                condition=Q(rule="keep", replacement="")
                | (Q(rule="translate_as") & ~Q(replacement="") & ~Q(target_language="")),
                name="glossary_term_rule_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.term


class GlossaryVersion(models.Model):
    """A school's glossary version: raised by every change to its glossary."""

    school = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    #: The version the school's translations have all been moved to (by the worker).
    refreshed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.school_id}: {self.version}"
