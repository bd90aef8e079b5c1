"""The hand-in form: it only reads what the student sent.

Every rule about what may be handed in (at least one of answer, link and file; the file's size
and kind; the link's form) lives in ``village.classwork.services.submissions``; the view shows the
service's errors on these fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class HandInForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    link = forms.CharField(
        label=_("Link"),
        required=False,
        help_text=_("A web address, such as a shared document or a video."),
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        allow_empty_file=True,
    )

    def __init__(self, *args: object, max_mb: int, extensions: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].help_text = _(
            "Up to %(limit)s MB: a document (PDF, Word, Excel, PowerPoint, OpenDocument or "
            "text), a picture, audio or video."
        ) % {"limit": max_mb}
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in extensions)
