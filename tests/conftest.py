"""Shared fixtures: users with roles, signed-in clients, and a real browser.

``browser_page`` drives Debian's Chromium (/usr/bin/chromium) through Playwright against
pytest-django's ``live_server``. Browser tests are marked ``browser``; they are skipped with a
clear reason only when Chromium is not installed (``make test`` installs it).
"""

from __future__ import annotations

import logging
import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told that this is deliberate (it is: the test thread is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HOMECOMING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _console_handlers_kept():
    """A test that runs the ``homecoming`` command in-process (``cli.main``: ``django.setup()``
    configures logging again) leaves the root logger writing to that test's captured stderr,
    closed when the test ends; later tests that read the console handler (test_refusal_log.py)
    then fail on a closed file. Each test ends with the handlers it started with."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    yield
    if root.handlers != handlers:
        root.handlers[:] = handlers


@pytest.fixture(autouse=True)
def _fresh_register_index():
    """Each test starts without the process's warm linkage index (intake.register_index): a test's
    database is rolled back after it, and persons written without the services leave no audit
    event by which the index could see them go."""
    from homecoming.intake.register_index import reset_register_index

    reset_register_index()
    yield
    reset_register_index()


@pytest.fixture
def make_user(db):
    """make_user("registrar") -> a saved user holding that role (or several roles)."""
    from homecoming.accounts.roles import sync_roles
    from homecoming.accounts.services import create_user

    sync_roles()
    counter = {"n": 0}

    def _make(*roles: str, username: str | None = None, password: str = "correct-horse-battery-9", **fields):
        counter["n"] += 1
        name = username or f"{'-'.join(roles) or 'norole'}{counter['n']}"
        return create_user(None, username=name, password=password, roles=list(roles), **fields)

    return _make


@pytest.fixture
def client_for(make_user, client):
    """client_for("analyst") -> a test client signed in as a fresh user with that role."""

    def _client(*roles: str, **fields):
        from django.test import Client

        user = make_user(*roles, **fields)
        c = Client()
        c.force_login(user)
        c.user = user
        return c

    return _client


@pytest.fixture(scope="session")
def _playwright_browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not installed at {CHROMIUM} (make test installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must never pass by skipping the browser journeys
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def lang():
    """The language a browser journey runs in: Ukrainian unless the test parametrizes it
    (``tests.browser.both_languages`` runs a journey in Ukrainian and in English)."""
    return "uk"


@pytest.fixture
def browser_page(_playwright_browser, live_server, django_db_serialized_rollback, lang):
    """A fresh browser page (own cookies) with ``page.base_url`` set to the live server.

    Browser tests run against a transactional database, and a transactional test empties the
    tables when it ends, including the reference data that migrations load (branches, ranks,
    plan templates, payment rules). Serialized rollback restores that data at the start of
    each browser test, so a journey never depends on which test ran before it.

    The browser's locale is that of ``lang`` (uk-UA or en-GB), so it asks for the language with
    Accept-Language as a person's browser does; the page then answers in it.

    A journey fails when Chromium reports that the Content Security Policy blocked something,
    and when axe-core finds a serious or critical accessibility violation on a page it opened
    (tests/accessibility.py)."""
    from tests import accessibility
    from tests.browser import LOCALES

    context = _playwright_browser.new_context(base_url=live_server.url, locale=LOCALES[lang],
                                              viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    # Every journey runs under the Content Security Policy: anything it blocks fails the test.
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text
            else None)
    visited = accessibility.track(page)
    yield page
    inaccessible = accessibility.check(context, visited, lang)
    context.close()
    assert not blocked, f"the Content Security Policy blocked: {blocked}"
    assert not inaccessible, "axe-core found serious or critical violations:\n" + "\n".join(inaccessible)
    # whatever the journey clicked through, the modules still agree (homecoming invariants)
    from homecoming.common.invariants import broken

    assert broken() == {}, f"the journey left broken invariants: {broken()}"


@pytest.fixture
def screenshot():
    """screenshot(page, name): keep a picture of the page for the user guides.

    Saved as ``<name>.png`` in the folder that ``HOMECOMING_SCREENSHOTS`` names (``make
    screenshots`` sets it to docs/images, which the guides under docs/guide show); without it,
    nothing is written, so an ordinary test run never touches the working tree. The journeys
    that take the pictures are the browser tests themselves, so a picture in a guide is always
    of a page that a test has just checked. A journey runs in both languages, so its pictures
    end in the language: ``registrar-search-uk``, ``registrar-search-en``."""
    folder = os.environ.get("HOMECOMING_SCREENSHOTS")

    def _shoot(page, name: str, full_page: bool = True):
        if folder:
            os.makedirs(folder, exist_ok=True)
            page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)

    return _shoot


@pytest.fixture
def sign_in():
    """sign_in(page, username, password): fill the login form as a person would."""

    def _sign_in(page, username: str, password: str = "correct-horse-battery-9"):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("#login-submit")

    return _sign_in


@pytest.fixture(autouse=True)
def _fresh_reference_lists():
    """Each test starts without the process's copies of reference lists (registry/forms.py): a
    rolled-back test deletes rows without the signals that would make the copies go."""
    from homecoming.registry.forms import forget_reference_lists

    forget_reference_lists()
    yield


@pytest.fixture
def queued_work(settings):
    """Background tasks are queued, not run (django-tasks' dummy backend): what a request does
    itself can be seen; tests/operations/helpers.run_queued then runs them as a worker does."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    yield backend
    backend.clear()
