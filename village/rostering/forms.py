"""The upload form: which organisation, and a zip file within the size limit."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import Organisation
from village.rostering import policies

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    """The largest bundle accepted; ``VILLAGE_ROSTER_MAX_UPLOAD_BYTES`` in settings changes it."""
    return int(getattr(settings, "VILLAGE_ROSTER_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def too_big_message() -> str:
    return str(
        _("The file is too big: a roster may be at most %(size)s.")
        % {"size": filesizeformat(max_upload_bytes())}
    )


class RosterUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Import for"), queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("OneRoster file (.zip)"),
        help_text=_("A zip of the OneRoster CSV files with manifest.csv, as your SIS exports it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = policies.import_organisations(viewer).order_by("kind", "name")
        choices = list(field.queryset[:2])
        if len(choices) == 1:
            field.initial = choices[0]
            field.widget = forms.HiddenInput()

    @classmethod
    def refused(cls, *, viewer: User, message: str) -> RosterUploadForm:
        """A bound form showing ``message`` on the file, for an upload refused unread."""
        form = cls(data={}, files={}, viewer=viewer)
        if form.single_organisation is not None:
            form.data = {"organisation": str(form.single_organisation.pk)}
        form.full_clean()
        form.errors.clear()
        form.add_error("file", message)
        return form

    @property
    def single_organisation(self) -> Organisation | None:
        field = self.fields["organisation"]
        initial = field.initial
        return initial if isinstance(initial, Organisation) else None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".zip"):
            raise forms.ValidationError(
                _("Choose a .zip file: the OneRoster CSV files and manifest.csv, zipped.")
            )
        if (upload.size or 0) > max_upload_bytes():
            raise forms.ValidationError(too_big_message())
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(
                _("This file is not a valid zip archive. Zip the CSV files again and retry.")
            )
        upload.seek(0)
        return upload
