"""The page that makes or edits a category: its names, trade rule and eligibility rule, the rule
built with forms (``rulebuilder``) or, for a rule the forms cannot show and for export and
import, written as JSON.

One POST does one of: an edit of the forms' shape (``rb_action``: add a condition or a group,
remove one; nothing is checked or saved), loading the JSON into the forms (``import_json``),
checking the rule and showing who it makes eligible (``check``), or saving (``save``). The page
says which editor it showed (``editor``: forms or json) and the JSON it showed (``rule_shown``):
when a person changed the JSON text, that text is the rule they mean, even in the forms' mode.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors

from . import rulebuilder, selectors, services
from .forms import CategoryForm, json_problem

EMPTY = {"and": []}


def rule_text(rule) -> str:
    return json.dumps(rule, ensure_ascii=False, indent=2)


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _unchecked_form(request) -> CategoryForm:
    """The form as posted, drawn again without its errors (the person is still building the rule)."""
    return CategoryForm(initial={name: request.POST.get(name, "") for name in CategoryForm.base_fields})


def _parse_json(form: CategoryForm, text: str):
    try:
        return json.loads(text), True
    except json.JSONDecodeError as exc:
        form.add_error("rule", _("This is not valid JSON (line %(line)s, column %(col)s: %(msg)s).")
                       % {"line": exc.lineno, "col": exc.colno, "msg": json_problem(exc)})
        return None, False


def category_form_page(request, agreement, category):
    stored = category.rule if category is not None else EMPTY
    initial = {"trade_rule": "all_for_all", "ratio_receive": 1, "ratio_hand_over": 1, "rule": rule_text(stored)}
    if category is not None:
        initial.update({"name_uk": category.name_uk, "name_en": category.name_en, "trade_rule": category.trade_rule,
                        "ratio_receive": category.ratio_receive, "ratio_hand_over": category.ratio_hand_over})
    if request.method != "POST":
        form = CategoryForm(initial=initial)
        builder = rulebuilder.bound_for(stored)
        if builder is not None and category is None:
            rulebuilder.apply_action(builder, f"row:{rulebuilder.ROOT}")  # a new rule starts with one condition
        return _render(request, agreement, category, form, builder, rule_text(stored))
    post = request.POST
    text = post.get("rule", "")
    builder = rulebuilder.from_post(post) if post.get("editor") == "forms" else None
    if builder is not None and post.get(rulebuilder.ACTION):
        rulebuilder.apply_action(builder, post[rulebuilder.ACTION])
        return _render(request, agreement, category, _unchecked_form(request), builder, post.get("rule_shown", text))
    if "import_json" in post:
        return _import(request, agreement, category, text, builder)
    form = CategoryForm(post)
    fields_ok = form.is_valid()
    json_edited = builder is None or not _same_text(text, post.get("rule_shown", ""))
    shown = text
    if json_edited:
        rule, ok = _parse_json(form, text)
        if ok:
            problems = services.check_rule(rule)
            if problems:
                form.add_error("rule", problems)
                ok = False
        if builder is not None and ok:  # the JSON was edited in the forms' mode: show it in the forms
            builder = rulebuilder.bound_for(rule)
        elif builder is not None:  # still an edit of the JSON (not yet right) on the next submit
            shown = post.get("rule_shown", "")
    else:
        rule = rulebuilder.rule_of(builder)
        ok = rule is not None
        if ok:
            text = shown = rule_text(rule)
        else:
            form.add_error(None, _("The rule has errors: see the conditions marked below."))
    preview = None
    if fields_ok and ok and "check" in post:
        preview = selectors.preview_for_reading(actor(request), agreement, rule, request=request)
    elif fields_ok and ok:
        data = {**form.cleaned_data, "rule": rule}
        try:
            if category is None:
                category = services.create_category(request.user, agreement.pk, data, request=request)
            else:
                services.update_category(request.user, category.pk, data, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("exchanges:agreement_detail", agreement.pk)
    if ok:
        form.data = form.data.copy()
        form.data["rule"] = text  # the JSON of the rule the forms state: what an export copies
    return _render(request, agreement, category, form, builder, shown, preview,
                   json_open=json_edited and not ok and builder is not None)


def _import(request, agreement, category, text, builder):
    """Load the JSON text into the forms; a rule the forms cannot show stays in the JSON editor."""
    form = _unchecked_form(request)
    rule, ok = _parse_json(form, text)
    if ok:
        problems = services.check_rule(rule)
        if problems:
            form.add_error("rule", problems)
            ok = False
    if not ok:
        return _render(request, agreement, category, form, builder, request.POST.get("rule_shown", text),
                       json_open=True)
    imported = rulebuilder.bound_for(rule)
    if imported is None:
        messages.info(request, _("This rule has a shape the forms cannot show (a “not” of one condition, or groups "
                                 "inside groups): edit it as JSON."))
    else:
        messages.success(request, _("The JSON was loaded into the forms. Check the rule, then save it."))
    form.initial["rule"] = rule_text(rule)
    return _render(request, agreement, category, form, imported, rule_text(rule))


def _render(request, agreement, category, form, builder, shown, preview=None, *, json_open=False):
    editor = "json" if builder is None else "forms"
    return render(request, "exchanges/category_form.html", {
        "form": form, "agreement": agreement, "category": category, "preview": preview, "builder": builder,
        "editor": editor, "rule_shown": shown, "json_open": json_open,
        "vocabulary": rulebuilder.vocabulary_for_script() if builder is not None else None,
    })
