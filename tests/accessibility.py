"""Accessibility of every page the browser journeys open, checked by axe-core.

The ``browser_page`` fixture (tests/conftest.py) notes each page a journey navigates to; when
the journey ends it opens those pages again in the same signed-in browser context, runs axe-core
(from the npm registry: ``package.json``, installed by ``make test``) on each, and fails on any
violation of impact "serious" or "critical". Each page (URL name) is checked once per language
per test session, so the check costs a few seconds, not a second run of every journey. It runs
on SQLite only: the markup does not depend on the database.

Pages that answer something other than 200 when opened again (a one-time page, a form's result)
are passed over; a page a journey reached only by posting a form with errors is checked through
the page that shows the empty form.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
IMPACTS = ("serious", "critical")
_checked: set[tuple[str, str]] = set()
#: pages not ours to mend, with the reason: they are left out of the check, not passed by it
EXEMPT = {
    "api-docs": "Swagger UI's own markup (a developer's tool for the API, not a staff page): its version "
                "badge's contrast and its nested operation controls are upstream's",
}

_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n")[1])
  }));
}"""


def available() -> bool:
    """axe-core is installed; CI must not pass by skipping the check."""
    if AXE.exists():
        return True
    if os.environ.get("CI"):
        raise AssertionError(f"axe-core is missing at {AXE}: `make test` installs it (npm install)")
    return False


def track(page) -> list[str]:
    """The URLs the page's main frame navigates to, in order (the list grows as the journey goes)."""
    urls: list[str] = []
    page.on("framenavigated", lambda frame: urls.append(frame.url) if frame == page.main_frame else None)
    return urls


def _view_name(url: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it stands."""
    page.evaluate(AXE.read_text() + "\n;0")
    return page.evaluate(_RUN, list(IMPACTS))


def check(context, urls: list[str], lang: str) -> list[str]:
    """Open each page not yet checked in ``lang`` and return axe's serious and critical findings."""
    from django.db import connection

    if connection.vendor != "sqlite" or not available():
        return []
    found = []
    page = None
    for url in dict.fromkeys(urls):
        name = _view_name(url)
        if name is None or name in EXEMPT or (name, lang) in _checked:
            continue
        _checked.add((name, lang))
        page = page or context.new_page()
        try:
            response = page.goto(url)
        except PlaywrightError:  # a page that answers an error status with no body, say
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        for v in violations(page):
            found.append(f"{lang} {name} ({urlsplit(url).path}): {v['impact']} {v['id']}: {v['help']}: "
                         f"{'; '.join(v['nodes'])}")
    return found
