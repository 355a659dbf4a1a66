"""No page cuts anything off at 1280 px, at 1366 px or on a phone (issue 19).

On the demo (a small register, the demo scenario: long Ukrainian names of agreements, categories,
units), each demo account opens its start page, every page of its navigation and the first page
of each kind those pages link to (a person's card, a stage, a case, an exchange report, ...), and
each is checked at the three window sizes of ``tests.layout.SIZES`` for anything clipped
(tests/layout.py says what counts). Under ``make screenshots`` the same walk keeps a picture of
each main page at 1280 px and on a phone for the guides (``picture_name``). The failure names the
role, the size, the page and the element. The family portal's public pages are checked too.
Ukrainian is the longer language and the one the staff read, so the check runs in it.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from tests.layout import SIZES, clipped
from tests.reference_data import restore_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: pages that are not ours to lay out (Django's admin, the API's own tools) and downloads
SKIP_NAMES = ("admin:", "api-", "schema", "swagger", "redoc")
SKIP_WORDS = ("export", "download", "csv", "xlsx", "pdf", "bank", "logout", "set_language", "/i18n/", "/static/",
              "/media/", "/api/")

ROLES = ("registrar", "analyst", "negotiator", "medic", "caseworker", "finance1", "admin", "leadership")


def _name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not any(w in h.lower() for w in SKIP_WORDS)]


#: pages of each kind pictured for the guides (besides the start page and the navigation's pages)
PICTURED = {"registry:person_detail", "exchanges:exchange_detail", "exchanges:agreement_detail",
            "aftercare:case_detail", "reports:exchange", "payments:person", "payments:batch", "intake:job_detail",
            "families:inquiry_detail", "accounts:user_detail"}
_pictured: set[str] = set()


def picture_name(who: str, url_name: str, size: str) -> str:
    """``registrar-registry-person_list-phone-uk``: whose page, which page, at which size."""
    return f"{who}-{url_name.replace(':', '-')}-{size}-uk"


def _check(page, url: str, where: str, findings: list[str], screenshot=None, picture: bool = False) -> bool:
    """Open ``url`` at every size and note what it clips; False when the page is not a page. With
    ``picture``, keep the window at 1280 px and on a phone for the guides (``make screenshots``;
    each kind of page once, the start page once per role)."""
    response = page.goto(url)
    if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
        return False
    name = _name(url) or "page"
    key = f"{where}:{name}" if name == "home" else name
    picture = picture and screenshot is not None and key not in _pictured
    if picture:
        _pictured.add(key)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        findings += [f"{where} {size} {urlsplit(url).path}: {f}" for f in clipped(page)]
        if picture and size in ("1280", "phone"):
            screenshot(page, picture_name(where, name, size), full_page=False)
    page.set_viewport_size({"width": SIZES["1280"][0], "height": SIZES["1280"][1]})
    return True


@pytest.fixture
def demo(browser_page):
    restore_reference_data()  # an earlier transactional test may have emptied the directions the demo draws from
    call_command("demo", persons=300, seed=2025, stdout=io.StringIO())


@pytest.mark.parametrize("username", ROLES)
def test_main_pages_of_each_role_clip_nothing(browser_page, demo, sign_in, username, screenshot):
    from homecoming.core.management.commands.demo import demo_password

    page = browser_page
    sign_in(page, username, demo_password(username))
    findings: list[str] = []
    main = ["/"] + [u for u in _links(page, "nav.site-nav a") if not (_name(u) or "").startswith(SKIP_NAMES)]
    checked_names: set[str] = set()
    for url in main:
        if not _check(page, url, username, findings, screenshot, picture=True):
            continue
        checked_names.add(_name(url))
        # one page of each kind this page leads to (a person's card, a stage, a case, a report, ...)
        for link in _links(page, "main a[href]"):
            name = _name(link)
            if name is None or name in checked_names or name.startswith(SKIP_NAMES):
                continue
            checked_names.add(name)
            here = page.url
            _check(page, link, username, findings, screenshot, picture=name in PICTURED)
            page.goto(here)
    assert len(checked_names) >= 3, checked_names
    assert not findings, f"{len(findings)} things clipped:\n" + "\n".join(findings[:60])


def test_the_family_portal_and_the_login_page_clip_nothing(browser_page, demo, screenshot):
    page = browser_page
    findings: list[str] = []
    for url in ("/accounts/login/", "/family/", "/family/inquiry/"):
        _check(page, url, "public", findings, screenshot, picture=True)
    assert not findings, "\n".join(findings)
