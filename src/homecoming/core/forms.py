"""How every form field is drawn: one template, one scheme of ids for help and error texts.

A field is drawn by ``{{ field.as_field_group }}`` with ``forms/field.html`` (the project's
template folder): its label, its help text (``id_<name>_helptext``), its widget and its errors
(``id_<name>_error``), the ids Django 5.2 writes itself. The widget's ``aria-describedby`` names
exactly the texts that are on the page, so a screen reader reads the help and the error with the
field; before this, five partials wrote three schemes and some inputs pointed at ids that did not
exist.
"""

from __future__ import annotations

from django.forms import BoundField
from django.forms.renderers import Jinja2
from django.template.loader import get_template


class FieldGroup(BoundField):
    """A bound field whose ``aria-describedby`` always follows the field template.

    Django keeps a widget's own ``aria-describedby``; some forms still set one in an older
    scheme (``-help``/``-error``), which would point at ids the template no longer writes. Here
    the ids come from the help text and the errors the template shows, and nothing else."""

    @property
    def aria_describedby(self) -> str:
        described = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                described.append(f"{self.auto_id}_helptext")
            if self.errors:
                described.append(f"{self.auto_id}_error")
        return " ".join(described)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if not self.use_fieldset and "aria-describedby" not in attrs:
            # False drops a stale aria-describedby the widget carries (the attrs are merged over it)
            attrs["aria-describedby"] = self.aria_describedby or False
        return attrs


class FormRenderer(Jinja2):
    """Widgets through Jinja2, the field group through the project's templates.

    Django's own widget templates (``django/forms/…``) are rendered by Jinja2: the same HTML at
    about a third of the CPU (a select drew each option through an include; the register's filter
    form alone cost a search page 10 ms). Our field template is a Django template so that it can
    translate and live with the other templates."""

    field_template_name = "forms/field.html"
    bound_field_class = FieldGroup

    def get_template(self, template_name):
        if template_name.startswith("django/forms/"):
            return super().get_template(template_name)
        return get_template(template_name)
