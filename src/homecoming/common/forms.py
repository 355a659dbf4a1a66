"""Form pieces every app's pages share.

``DateInput``: every date a person picks is the browser's date picker, sent and shown as
YYYY-MM-DD (the format the services read); four apps had their own copies, and some dates were
plain text boxes (issue 19). A date known only in part (a family's "05.1990") stays a text field
with its own help text.
"""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)
