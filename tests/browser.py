"""Language helpers for the browser journeys: each journey runs once in Ukrainian and once in
English, and reads the texts it expects from the application's own catalogues.

    @both_languages
    def test_journey(browser_page, lang, ...):
        expect_heading(page, lang, "Register")

``both_languages`` parametrizes the ``lang`` fixture (tests/conftest.py), which sets the browser's
locale, so the browser asks for that language with its Accept-Language header exactly as a
person's browser does. ``tr`` gives the text a page must show in that language; for Ukrainian it
also fails when the catalogue has no translation, so a page that falls back to English fails the
Ukrainian run, and a page that shows Ukrainian fails the English run.
"""

from __future__ import annotations

import pytest
from django.utils import translation

LANGUAGES = ("uk", "en")
#: the browser locale (and so the Accept-Language header) of each language
LOCALES = {"uk": "uk-UA", "en": "en-GB"}

both_languages = pytest.mark.parametrize("lang", LANGUAGES)


def tr(lang: str, message: str, context: str | None = None, **values) -> str:
    """The text of ``message`` in ``lang`` from the real catalogues, with ``values`` put in."""
    with translation.override(lang):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    if lang != "en":
        assert text != message, f"no {lang} translation of {message!r}"
    return text % values if values else text


def ntr(lang: str, singular: str, plural: str, n: int, **values) -> str:
    """The plural form of a message for ``n`` in ``lang``, with ``n`` and ``values`` put in."""
    with translation.override(lang):
        text = translation.ngettext(singular, plural, n)
    if lang != "en":
        assert text not in (singular, plural), f"no {lang} translation of {singular!r}"
    return text % {"n": n, **values}


def expect_language(page, lang: str) -> None:
    """The page was answered in ``lang`` (the <html lang> that Django's active language sets)."""
    assert page.locator("html").get_attribute("lang") == lang, page.url


def expect_heading(page, lang: str, message: str, context: str | None = None, *, exact: bool = False,
                   selector: str = "h1", **values) -> None:
    """The page is in ``lang`` and its heading shows ``message`` translated into it."""
    expect_language(page, lang)
    expected = tr(lang, message, context, **values)
    heading = page.locator(selector).first.inner_text()
    if exact:
        assert heading == expected, (page.url, heading, expected)
    else:
        assert expected in heading, (page.url, heading, expected)


def expect_text(page, lang: str, message: str, selector: str = "main", context: str | None = None,
                **values) -> None:
    """The page is in ``lang`` and the element ``selector`` shows ``message`` translated into it."""
    expect_language(page, lang)
    expected = tr(lang, message, context, **values)
    shown = page.locator(selector).first.inner_text()
    assert expected in shown, (page.url, selector, shown[:500], expected)


def expect_message(page, lang: str, message: str, context: str | None = None, **values) -> None:
    """The page's messages (after a form was saved) show ``message`` in ``lang``."""
    expect_language(page, lang)
    expected = tr(lang, message, context, **values)
    shown = page.locator(".messages").inner_text()
    assert expected in shown, (page.url, shown, expected)


def expect_errors(page, lang: str) -> None:
    """The form was refused: the error summary is shown, with its title in ``lang``."""
    expect_language(page, lang)
    assert page.locator(".error-summary").is_visible(), page.url
    assert page.locator("#error-summary-title").inner_text() == tr(lang, "Please correct the following:")


def switch_language(page, lang: str) -> None:
    """Choose ``lang`` in the header's language form, as a person would."""
    page.select_option("#language-select", lang)
    with page.expect_navigation():
        page.click(".lang-form button[type=submit]")
    expect_language(page, lang)


def submit(page, selector: str) -> None:
    """Click a button or a link and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
