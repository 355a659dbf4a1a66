"""An audit event as a person reads it: a sentence and a list of details, in the reader's language.

The log stores codes and plain JSON (``person.update``, ``{"fields": ["unit"], "version": 4}``);
the viewer and its export say "Registrar olena changed unit of HC-003519" with the details as
named values. A person is named by reference only (never by name: the reader of the log may not
read the register), and linked to its record only where the reader may open it; an account is
linked to its page only for those who manage accounts.

The layer rule holds: the audit app names the apps above it by string (``apps.get_model``,
URL names), never by import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import AuditEvent
from .sentences import ACTIONS, DETAIL_VALUES, SYSTEM_ACTORS, UNKNOWN_SENTENCE, detail_label

#: keys whose value is a person's id (shown as a reference)
PERSON_KEYS = frozenset({"person", "survivor", "duplicate"})
_CODE = re.compile(r"^[a-z][a-z0-9_.-]*$")
#: at most this many items of a list are shown in the details (the rest counted)
LIST_SHOWN = 20


@dataclass
class Line:
    event: AuditEvent
    sentence: SafeString
    details: list[tuple[str, str]]


class Describer:
    """Describes a batch of events for one reader: accounts and their roles are read once."""

    def __init__(self, reader, events):
        self.reader = reader
        self.events = list(events)
        ids = {e.actor_id for e in self.events if e.actor_id}
        ids |= {int(e.object_id) for e in self.events if e.object_type == "user" and e.object_id.isdigit()}
        self.users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids).prefetch_related("groups")}
        self.sees_persons = bool(reader and reader.has_perm("registry.view_person"))
        self.sees_accounts = bool(reader and reader.has_perm("accounts.manage_accounts"))
        accounts = apps.get_app_config("accounts") if apps.is_installed("homecoming.accounts") else None
        self.role_labels = getattr(accounts, "role_labels_of", lambda user: [])
        try:
            self.person_model = apps.get_model("registry", "Person")
        except LookupError:  # pragma: no cover - the register is always installed with the viewer
            self.person_model = None

    # --- the parts of a sentence -------------------------------------------------------------

    def who(self, event: AuditEvent, *, html: bool = True) -> str:
        user = self.users.get(event.actor_id) if event.actor_id else None
        if user is None:
            name = SYSTEM_ACTORS.get(event.actor_name)
            return str(name) if name is not None else event.actor_name
        role = self.role_labels(user)
        text = f"{role[0]} {user.get_username()}" if role else user.get_username()
        if html and self.sees_accounts:
            return format_html('<a href="{}">{}</a>', _url("accounts:user_detail", user.pk), text)
        return format_html("{}", text) if html else text

    def person(self, pk, *, html: bool = True) -> str:
        try:
            reference = self.person_model(pk=int(pk)).reference
        except (TypeError, ValueError):
            return str(pk)
        if html and self.sees_persons:
            return format_html('<a href="{}">{}</a>', _url("registry:person_detail", int(pk)), reference)
        return reference

    def object(self, event: AuditEvent, *, html: bool = True) -> str:
        if not event.object_id:
            return ""
        if event.object_type == "person":
            return self.person(event.object_id, html=html)
        if event.object_type == "user" and event.object_id.isdigit():
            user = self.users.get(int(event.object_id))
            if user is not None:
                if html and self.sees_accounts:
                    return format_html('<a href="{}">{}</a>', _url("accounts:user_detail", user.pk),
                                       user.get_username())
                return user.get_username()
        if event.object_type == "inquiry" and isinstance(event.details, dict) and event.details.get("reference"):
            return str(event.details["reference"])
        return f"#{event.object_id}"

    def fields(self, event: AuditEvent) -> str:
        names = event.details.get("fields") if isinstance(event.details, dict) else None
        if not names or self.person_model is None:
            return _("the record")
        labels = []
        for name in names:
            try:
                labels.append(str(self.person_model._meta.get_field(name).verbose_name))
            except Exception:  # noqa: BLE001 - a field removed since: its code is shown
                labels.append(str(name))
        return ", ".join(labels)

    # --- the whole -------------------------------------------------------------------------------

    def sentence(self, event: AuditEvent, *, html: bool = True) -> str:
        action = ACTIONS.get(event.action)
        parts = {"who": self.who(event, html=html), "object": self.object(event, html=html),
                 "fields": self.fields(event) if event.action == "person.update" else ""}
        if action is None:
            template = str(UNKNOWN_SENTENCE)
            parts["action"] = event.action
        else:
            template = str(action.sentence)
        if html:
            parts = {k: v if isinstance(v, SafeString) else format_html("{}", v) for k, v in parts.items()}
            text = template % parts
            return mark_safe(text)  # noqa: S308 - every part above is escaped
        return template % parts

    def details(self, event: AuditEvent, *, html: bool = True, address: bool = True) -> list[tuple[str, str]]:
        data = event.details if isinstance(event.details, dict) else {"": event.details}
        out = []
        for key, value in data.items():
            if key == "fields" and event.action == "person.update":
                value = self.fields(event)
            elif key in PERSON_KEYS and value not in (None, ""):
                value = self.person(value, html=html)
            elif key == "ids" and event.object_type == "person" and isinstance(value, list):
                shown = [self.person(v, html=html) for v in value[:LIST_SHOWN]]
                value = _joined(shown, len(value), html)
            elif isinstance(value, str) and value in DETAIL_VALUES:
                value = str(DETAIL_VALUES[value])
            elif html and _codes(value):
                codes = value if isinstance(value, list) else [value]  # codes of the program, not words
                value = format_html_join(", ", "<code>{}</code>", ((v,) for v in codes))
            else:
                value = _plain(value)
            out.append((detail_label(key), value))
        if address and event.ip_address:
            out.append((_("network address"), event.ip_address))
        return out

    def lines(self) -> list[Line]:
        return [Line(e, self.sentence(e), self.details(e)) for e in self.events]


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # pragma: no cover - an app not installed
        return ""


def _joined(items: list, total: int, html: bool) -> str:
    more = total - len(items)
    tail = [_("and %(n)s more") % {"n": more}] if more > 0 else []
    if html:
        return mark_safe(", ".join(conditional_escape(item) for item in [*items, *tail]))  # noqa: S308 - escaped
    return ", ".join([*items, *tail])


def _codes(value) -> bool:
    """A code of the program or a list of them (``"page"``, ``["title", "place"]``)."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(v, str) and _CODE.match(v) for v in items)


def _plain(value) -> str:
    """A JSON value in words: yes/no, lists joined, a dict as "name: value" pairs."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        shown = [_plain(v) for v in value[:LIST_SHOWN]]
        return _joined(shown, len(value), False)
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(str(k))}: {_plain(v)}" for k, v in value.items())
    return str(value)
