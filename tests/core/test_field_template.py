"""One field template for every form (templates/forms/field.html through core/forms.py) and one
frame for every table ({% table %}): what a screen reader and a page test rely on."""

import re

from django import forms
from django.template import Context, Template

from homecoming.accounts.manage import AccountForm
from homecoming.families.forms import PortalForm


class _Sample(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the list")
    note = forms.CharField(label="Note", required=False)
    agreed = forms.BooleanField(label="Agreed", help_text="Tick to agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def _described(html: str) -> list[str]:
    return [i for value in re.findall(r'aria-describedby="([^"]*)"', html) for i in value.split()]


def test_help_and_error_ids_follow_one_scheme_and_exist():
    form = _Sample(data={"note": "x"})
    assert not form.is_valid()
    html = "".join(field.as_field_group() for field in form)
    assert 'id="id_name_helptext"' in html and 'id="id_name_error"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-describedby="id_agreed_helptext id_agreed_error"' in html
    note = re.search(r'<input[^>]*id="id_note"[^>]*>', html).group(0)
    assert "aria-describedby" not in note and "aria-invalid" not in note  # nothing to describe, nothing wrong
    assert set(_described(html)) <= _ids(html), "aria-describedby names an id that is not on the page"
    assert '<label for="id_agreed"><input type="checkbox"' in html  # a checkbox sits in its label
    assert '<input type="hidden" name="token"' in html and "<label for=\"id_token\"" not in html


def test_a_form_that_sets_its_own_describedby_still_points_at_what_is_shown():
    form = PortalForm(data={"reference": "", "code": ""})  # its widgets carry an older scheme
    assert not form.is_valid()
    html = "".join(field.as_field_group() for field in form)
    assert _described(html) and set(_described(html)) <= _ids(html)


def test_a_group_of_checkboxes_is_a_fieldset_with_a_legend():
    form = AccountForm(data={})
    form.is_valid()
    html = form["roles"].as_field_group()
    assert html.startswith('<fieldset class="field" aria-describedby="id_roles_helptext id_roles_error">')
    assert "<legend>" in html and 'id="id_roles_error"' in html
    assert set(_described(html)) <= _ids(html)


def test_table_frame():
    html = Template(
        '{% load tables %}{% table id="t" wrap="section" %}{% caption class="visually-hidden" %}Cap{% head %}'
        "<th>A</th>{% rows %}{% for x in xs %}<tr><td>{{ x }}</td></tr>{% endfor %}{% foot %}<tr><td>F</td></tr>"
        "{% endtable %}"
    ).render(Context({"xs": ["<b>"]}))
    assert html == ('<div class="table-wrap section">\n<table id="t">\n'
                    '  <caption class="visually-hidden">Cap</caption>\n'
                    "  <thead><tr><th>A</th></tr></thead>\n  <tbody><tr><td>&lt;b&gt;</td></tr></tbody>\n"
                    "  <tfoot><tr><td>F</td></tr></tfoot>\n</table>\n</div>")
