"""One word, one language on a page (issue 19): a Ukrainian page shows no English string of the
catalogues that has a Ukrainian translation (an untranslated string leaked through), and an
English page shows no Ukrainian translation of the catalogues.

Every page of the application a role may open is rendered in both languages over the seeded
world of the permission matrix (the demo scenario, an import, an inquiry, a payment batch), and
its visible text is compared with the catalogues (every ``locale/uk/LC_MESSAGES/django.po`` of the
project, read with polib):

* a text node (or a label a screen reader reads: ``title``, ``aria-label``, ``placeholder``)
  that is, whole, an English message id with a different Ukrainian translation, on a Ukrainian
  page; or, whole, such a translation on an English page;
* a Latin word inside Ukrainian text that is a one-word message id with a Ukrainian translation
  ("stage" in «Стамбул, 2 червня 2025, stage 1»; not in a path or a JSON example).

Words that read the same in both languages (HXL, IBAN, SHA-256), and data (names, references)
are not in the catalogues as such, so they never count; nor does Cyrillic inside English text
(names of persons, an agreement's parties and a payment's purpose for the bank are data). Text in
an element that states another language (``lang="en"`` around what was sent to a family in
English) and code (``<code>``, ``<pre>``) are not checked.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.test import Client

import homecoming
from homecoming.accounts import matrix
from tests.accounts.test_permission_matrix import _url, all_endpoints, world  # noqa: F401 (a fixture)

CATALOGUES = sorted(Path(homecoming.__file__).parent.rglob("locale/uk/LC_MESSAGES/django.po"))
HIDDEN = {"script", "style", "code", "pre", "textarea", "template"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
LATIN_WORD = re.compile(r"(?<![\w/.{])[A-Za-z][a-z]{2,}(?![\w/.}])")
#: the language switch names each language in its own words, on purpose
SAME_ON_EVERY_PAGE = {"English", "Українська"}


@cache
def catalogue() -> tuple[frozenset[str], frozenset[str]]:
    """(English message ids with a different Ukrainian translation, those translations)."""
    english, ukrainian = set(), set()
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)).translated_entries():
            pairs = [(entry.msgid, entry.msgstr)] if not entry.msgid_plural else \
                [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(2, ""))]
            for msgid, msgstr in pairs:
                if msgstr and msgid != msgstr and re.search(r"[A-Za-z]", msgid):
                    english.add(_normal(msgid))
                    ukrainian.add(_normal(msgstr))
    same = english & ukrainian  # a word both catalogues use as it is
    return frozenset(english - same), frozenset(ukrainian - same)


def _normal(text: str) -> str:
    return " ".join(text.split())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a reader sees in the page's language: a stack of open elements, each hidden or not
    (code, scripts, or another ``lang`` than the page's)."""

    def __init__(self, language: str):
        super().__init__()
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.nodes: list[str] = []
        self.pending: list[str] = []  # the text of one node may come in pieces

    def _flush(self):
        text = _normal("".join(self.pending))
        self.pending = []
        if text:
            self.nodes.append(text)

    @property
    def hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        self._flush()
        attrs = dict(attrs)
        lang = attrs.get("lang")
        hidden = tag in HIDDEN or (tag != "html" and lang is not None and not lang.startswith(self.language))
        if not self.hidden and not hidden:
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.nodes.append(_normal(attrs[name]))
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        self._flush()
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.hidden:
            self.pending.append(data)

    def close(self):
        super().close()
        self._flush()


def visible_text(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    parser.close()
    return parser.nodes


def leaks(html: str, language: str) -> list[str]:
    english, ukrainian = catalogue()
    foreign = english if language == "uk" else ukrainian
    found = []
    for node in visible_text(html, language):
        if node in SAME_ON_EVERY_PAGE:
            continue
        if node in foreign:
            found.append(node)
        elif language == "uk" and "{" not in node:  # a JSON example is code
            found += [f"{word!r} in {node!r}" for word in LATIN_WORD.findall(node) if word in foreign]
    return found


def test_the_check_sees_a_leak_both_ways():
    assert leaks("<p>Стамбул, 2 червня 2025, Filter 1</p>", "uk") == ["'Filter' in 'Стамбул, 2 червня 2025, Filter 1'"]
    assert leaks("<p><span>Save</span></p>", "uk") == ["Save"]
    assert leaks('<button aria-label="Зберегти">x</button>', "en") == ["Зберегти"]
    assert leaks("<p>Save</p><script>var Зберегти;</script>", "en") == []
    assert leaks("<p>Петренко Олександр, HC-000001</p>", "en") == []  # data, not the catalogue
    assert leaks('<p>Шановні!</p><td lang="en">Save</td><p>GET /api/v1/exchanges/</p>', "uk") == []
    assert leaks('<td lang="en"><br>Save</td><p>Save</p>', "uk") == ["Save"]


def _pages() -> list[tuple[str, str]]:
    """(URL name, a role that may GET it) for every page (not the API, not Django's admin)."""
    pages = []
    for endpoint in all_endpoints():
        name = endpoint.name
        if name.startswith(("api:", "admin:")) or name in ("logout", "healthz", "set_language"):
            continue
        allowed = matrix.MATRIX.get(name, {}).get("GET")
        if allowed is None:
            continue
        role = matrix.ADM if allowed in (matrix.PUBLIC, matrix.SIGNED_IN) else sorted(allowed)[0]
        pages.append((name, role))
    return pages


@pytest.mark.django_db
def test_no_page_shows_a_word_of_the_other_language(world, make_user):  # noqa: F811 (the fixture)
    clients = {}
    found = {}
    for name, role in _pages():
        url = _url(name, world)
        if url is None:
            continue
        if role not in clients:
            clients[role] = make_user(role)
        for language in ("uk", "en"):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(clients[role])
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            if bad := leaks(response.content.decode(), language):
                found[f"{language} {url}"] = sorted(set(bad))
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
