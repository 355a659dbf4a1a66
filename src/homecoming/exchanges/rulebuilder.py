"""The eligibility rule as forms: rows of field / condition / value in groups (issue 19).

The shapes and their JSON are ``homecoming.rules.builder`` (pure, from the engine's own
vocabulary); this module is the Django side: one :class:`RowForm` per condition (its inputs named
``<prefix>-subject``, ``<prefix>-op``, … where a row's prefix is its place, ``rb-1-0`` the first
condition of the root's second part), groups as ``<prefix>-kind`` = ``group`` and ``<prefix>-join``,
parsed back from any POST (:func:`from_post`), so the page works as a plain form: "Add a condition",
"Add a group" and "Remove" are submit buttons (``rb_action``) and a small static script
(``exchanges/rulebuilder.js``) only shows the inputs that fit the chosen field and refreshes the
preview. Errors, the rows' own and the engine's (mapped by their JSON path), are shown next to
their row in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from homecoming.common.collation import sort_key
from homecoming.common.forms import DateInput
from homecoming.rules import FIELDS, NUMERIC_VALUES, OPERATORS, validate
from homecoming.rules.builder import (
    JOINS,
    MAX_LEVELS,
    Group,
    Row,
    from_rule,
    kind_of,
    operand_shape,
    operators_for,
    parse_number,
    path_within,
    row_paths,
    show_number,
    to_rule,
)

from .labels import error_message, rule_labels, rule_vocabulary

ROOT = "rb"
ACTION = "rb_action"
#: a group's join as one choice: the engine's and/or, perhaps under a "not"
JOIN_CHOICES = (("and", gettext_lazy("all of these")), ("or", gettext_lazy("any of these")),
                ("not-and", gettext_lazy("not all of these")), ("not-or", gettext_lazy("none of these")))


def subject_labels() -> dict[str, str]:
    fields = rule_labels().fields
    numeric = {"age_on": _("age on a date"), "captivity_days_on": _("days in captivity on a date"),
               "captivity_years_on": _("full years in captivity on a date")}
    return {s: (fields.get(s) or numeric.get(s, s)).capitalize() for s in (*FIELDS, *NUMERIC_VALUES)}


def operator_labels() -> dict[str, str]:
    words = {"in": _("is one of"), "not in": _("is none of"), "between": _("is between")}
    return {op: words.get(op, op) for op in OPERATORS}


def value_choices(subject: str) -> list[tuple[str, str]]:
    """The values a field may take (the engine's list, or the reference list for branch, front
    direction and operation), labelled in the reader's language."""
    kind = kind_of(subject)
    if kind == "bool":
        return [("true", _("yes")), ("false", _("no"))]
    if kind != "text":
        return []
    allowed = FIELDS[subject] if FIELDS[subject] is not None else rule_vocabulary().get(subject, [])
    labels = rule_labels().values.get(subject, {})
    return sorted(((code, str(labels.get(code, code))) for code in allowed), key=lambda c: sort_key(c[1]))


def vocabulary_for_script() -> dict:
    """What the script needs to offer the right inputs without a round trip: per subject its kind,
    its conditions and its values (all from the engine and the reference lists)."""
    return {"subjects": {s: {"kind": kind_of(s), "ops": list(operators_for(s)), "values": value_choices(s)}
                         for s in (*FIELDS, *NUMERIC_VALUES)},
            "ops": operator_labels()}


class RowForm(forms.Form):
    """One condition. Which inputs count depends on the field (a date and numbers for a value read on
    a date, a choice for a field) and the condition (a list for "is one of", two ends for "between")."""

    subject = forms.ChoiceField(label=gettext_lazy("Field"))
    date = forms.DateField(label=gettext_lazy("On the date"), required=False, widget=DateInput())
    op = forms.ChoiceField(label=pgettext_lazy("rule", "Condition"))
    value = forms.ChoiceField(label=gettext_lazy("Value"), required=False)
    values = forms.MultipleChoiceField(label=gettext_lazy("Values"), required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 4}))
    number = forms.CharField(label=gettext_lazy("Number"), required=False,
                             widget=forms.NumberInput(attrs={"step": "any"}))
    high = forms.CharField(label=gettext_lazy("Up to (inclusive)"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    numbers = forms.CharField(label=gettext_lazy("Numbers"), required=False,
                              help_text=gettext_lazy("Separated by spaces, e.g. 18 19 20."))

    def __init__(self, *args, subjects=None, **kwargs):
        super().__init__(*args, **kwargs)
        subjects = subjects or subject_labels()
        self.fields["subject"].choices = [("", "—"), *subjects.items()]
        chosen = self.chosen_subject()
        ops = operator_labels()
        # any of the engine's operators is read (a wrong one gets a clear message in clean()); the
        # list offers those that fit the chosen field
        self.fields["op"].choices = [("", "—"), *ops.items()]
        if chosen:
            self.fields["op"].widget.choices = [("", "—"), *((op, ops[op]) for op in operators_for(chosen))]
        values = value_choices(chosen)
        self.fields["value"].choices = [("", "—"), *values]
        # the chosen values first, in the rule's order: a browser sends them in the options' order,
        # so the list comes back exactly as it was (in any language)
        picked = (self.data.getlist(self.add_prefix("values")) if self.is_bound and hasattr(self.data, "getlist")
                  else list(self.initial.get("values") or []))
        labels = dict(values)
        first = [(v, labels[v]) for v in dict.fromkeys(picked) if v in labels]
        self.fields["values"].choices = first + [c for c in values if c[0] not in set(picked)]

    def chosen_subject(self) -> str:
        subject = (self.data.get(self.add_prefix("subject")) if self.is_bound else self.initial.get("subject")) or ""
        return subject if kind_of(subject) else ""

    def chosen_op(self) -> str:
        return (self.data.get(self.add_prefix("op")) if self.is_bound else self.initial.get("op")) or ""

    def shown(self) -> set[str]:
        """The inputs that fit the chosen field and condition (all of them before a field is chosen)."""
        kind, shape = kind_of(self.chosen_subject()), operand_shape(self.chosen_op())
        if kind is None:
            return {"subject", "date", "op", "value", "values", "number", "high", "numbers"}
        if kind == "number":
            return {"subject", "date", "op", *({"one": ["number"], "range": ["number", "high"],
                                                "list": ["numbers"]}[shape])}
        return {"subject", "op", "values" if shape == "list" else "value"}

    def clean(self):
        data = super().clean()
        subject, op = data.get("subject"), data.get("op")
        if not subject or not op:
            return data
        if op not in operators_for(subject):
            self.add_error("op", _("This condition cannot be used with this field."))
            return data
        data["row"] = self._row(subject, op, data)
        return data

    def _row(self, subject: str, op: str, data) -> Row | None:
        kind, shape = kind_of(subject), operand_shape(op)
        if kind == "number":
            if not data.get("date") and "date" not in self.errors:
                self.add_error("date", _("Enter the date the value is read on."))
            if shape == "list":
                items = [parse_number(t) for t in re.split(r"[\s;]+", self.data.get(self.add_prefix("numbers"), "")
                                                           .replace(", ", " ").strip()) if t]
                if not items or None in items:
                    self.add_error("numbers", _("Enter one or more numbers separated by spaces."))
                operand = items
            else:
                names = ("number", "high") if shape == "range" else ("number",)
                numbers = [parse_number(data.get(n) or "") for n in names]
                for name, number in zip(names, numbers, strict=True):
                    if number is None:
                        self.add_error(name, _("Enter a number."))
                operand = tuple(numbers) if shape == "range" else numbers[0]
            if self.errors:
                return None
            return Row(subject, op, operand, data["date"].isoformat())
        if shape == "list":
            if not data.get("values"):
                self.add_error("values", _("Choose one or more values."))
                return None
            chosen = data["values"]
            return Row(subject, op, [_literal(kind, v) for v in chosen])
        if not data.get("value"):
            self.add_error("value", _("Choose a value."))
            return None
        return Row(subject, op, _literal(kind, data["value"]))


def _literal(kind: str | None, text: str):
    return text == "true" if kind == "bool" else text


def row_initial(row: Row) -> dict:
    shape, kind = operand_shape(row.op), kind_of(row.subject)
    out = {"subject": row.subject, "op": row.op, "date": row.date}
    if kind == "number":
        if shape == "list":
            out["numbers"] = " ".join(show_number(n) for n in row.operand)
        elif shape == "range":
            out["number"], out["high"] = (show_number(n) for n in row.operand)
        else:
            out["number"] = show_number(row.operand)
    elif shape == "list":
        out["values"] = [_text(v) for v in row.operand]
    else:
        out["value"] = _text(row.operand)
    return out


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


# --- the tree the page draws -------------------------------------------------------------------

@dataclass
class BoundRow:
    prefix: str
    form: RowForm
    number: int = 0  # 1, 2, … in the order the page shows the conditions

    is_group = False


@dataclass
class BoundGroup:
    prefix: str
    join: str = "and"
    level: int = 1
    children: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    is_group = True

    @property
    def can_add_group(self) -> bool:
        return self.level < MAX_LEVELS

    @property
    def join_choices(self):
        return JOIN_CHOICES

    def rows(self):
        for child in self.children:
            if child.is_group:
                yield from child.rows()
            else:
                yield child


def bind(group: Group, prefix: str = ROOT, level: int = 1, subjects=None) -> BoundGroup:
    """The page's tree for a rule read from JSON (unbound forms with the rule's values)."""
    subjects = subjects or subject_labels()
    join = f"not-{group.join}" if group.negated else group.join
    out = BoundGroup(prefix, join, level)
    for i, child in enumerate(group.children):
        p = f"{prefix}-{i}"
        if isinstance(child, Group):
            out.children.append(bind(child, p, level + 1, subjects))
        else:
            out.children.append(BoundRow(p, RowForm(prefix=p, initial=row_initial(child), subjects=subjects)))
    return _numbered(out) if level == 1 else out


def from_post(data, prefix: str = ROOT, level: int = 1, subjects=None) -> BoundGroup:
    """The page's tree as posted (bound forms), whatever rows a person or the script added."""
    subjects = subjects or subject_labels()
    join = data.get(f"{prefix}-join") or "and"
    out = BoundGroup(prefix, join if join in dict(JOIN_CHOICES) else "and", level)
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-kind$")
    indexes = sorted({int(m.group(1)) for key in data for m in [pattern.match(key)] if m})
    for i in indexes:
        p = f"{prefix}-{i}"
        if data.get(f"{p}-kind") == "group" and level < MAX_LEVELS:
            out.children.append(from_post(data, p, level + 1, subjects))
        else:
            out.children.append(BoundRow(p, RowForm(data, prefix=p, subjects=subjects)))
    return _numbered(out) if level == 1 else out


def _numbered(root: BoundGroup) -> BoundGroup:
    for n, row in enumerate(root.rows(), start=1):
        row.number = n
    return root


def _next_prefix(group: BoundGroup) -> str:
    used = [int(c.prefix.rsplit("-", 1)[1]) for c in group.children]
    return f"{group.prefix}-{max(used, default=-1) + 1}"


def _find(group: BoundGroup, prefix: str):
    if group.prefix == prefix:
        return group, None
    for child in group.children:
        if child.prefix == prefix:
            return child, group
        if child.is_group:
            found = _find(child, prefix)
            if found[0] is not None:
                return found
    return None, None


def apply_action(root: BoundGroup, action: str) -> None:
    """``row:<group>``, ``group:<group>`` or ``remove:<part>``: the buttons of a page without script."""
    verb, _sep, prefix = action.partition(":")
    node, parent = _find(root, prefix)
    if node is None:
        return
    if verb == "row" and node.is_group:
        p = _next_prefix(node)
        node.children.append(BoundRow(p, RowForm(prefix=p)))
    elif verb == "group" and node.is_group and node.can_add_group:
        p = _next_prefix(node)
        sub = BoundGroup(p, "or", node.level + 1)
        q = f"{p}-0"
        sub.children.append(BoundRow(q, RowForm(prefix=q)))
        node.children.append(sub)
    elif verb == "remove" and parent is not None:
        parent.children.remove(node)
    _numbered(root)


def _group_of(bound: BoundGroup) -> Group | None:
    """The rule's shape from valid forms, or None (each form with errors keeps them)."""
    negated, _sep, join = bound.join.rpartition("-")
    group = Group(join=join if join in JOINS else "and", negated=bool(negated))
    good = True
    for child in bound.children:
        if child.is_group:
            sub = _group_of(child)
            good = good and sub is not None
            group.children.append(sub)
        elif child.form.is_valid() and child.form.cleaned_data.get("row") is not None:
            group.children.append(child.form.cleaned_data["row"])
        else:
            good = False
    return group if good else None


def rule_of(root: BoundGroup) -> dict | None:
    """The JSON rule the forms state, checked by the engine; None when a row has an error, which
    is then on that row's form in the reader's language (nothing is saved)."""
    vocabulary = rule_vocabulary()
    for bound in root.rows():  # each complete row checked by the engine, so every row shows its errors
        row = bound.form.cleaned_data.get("row") if bound.form.is_valid() else None
        if row is not None:
            for error in validate({"and": [to_rule(row)]}, vocabulary):
                bound.form.add_error(None, error_message(error))
    group = _group_of(root)
    if group is None:
        return None
    rule = to_rule(group)
    errors = validate(rule, vocabulary)
    if not errors:
        return rule
    rows = list(root.rows())
    for error in errors:  # what only the whole rule can break (its size), on its row when it has one
        target = next((r for r, (_row, path) in zip(rows, row_paths(group), strict=True)
                       if path_within(error.path, path)), None)
        (target.form.add_error(None, error_message(error)) if target is not None
         else root.errors.append(error_message(error)))
    return None


def has_errors(root: BoundGroup) -> bool:
    return bool(root.errors) or any(r.form.is_bound and r.form.errors for r in root.rows())


def bound_for(rule) -> BoundGroup | None:
    """The forms for a stored or imported rule, or None when only JSON can show it."""
    group = from_rule(rule)
    return bind(group) if group is not None else None
