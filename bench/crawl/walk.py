"""Runs inside a database the demo filled (DATABASE_URL / HOMECOMING_VAR_DIR set by __main__):
signs in as each demo account and follows every link its pages show, timing each page.

    python -m bench.crawl.walk OUT.json [--per-name 2] [--repeat 3] [--budget 400]

A crawler, not a list of URLs: what it opens is what a person of that role can click, starting at
the start page. Each page is requested ``--repeat`` times (the first one cold) and its median is
kept; at most ``--per-name`` different URLs of one URL name (person 1 and person 2, page 1 and
page 2 of a list) per role, and at most ``--budget`` pages per role. Downloads (exports, CSV,
XLSX, PDF) are not pages and are not opened; neither is anything that would sign out or change
the language. A link that answers anything but 200 is reported: a page should not offer a link
its reader may not follow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout", "/logout", "/healthz", "/portal/")
SKIP_WORDS = ("export", "download", "csv", "xlsx", "pdf", "bank_file", "bank-file", "logout", "set_language")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """Same-site paths (with their query) that the page links to, in the order shown."""
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(SKIP_PREFIXES):
            out.append(path)
    return out


def _name(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def _skipped(name: str, path: str) -> bool:
    low = f"{name} {path}".lower()
    return any(word in low for word in SKIP_WORDS)


def crawl_role(username: str, *, per_name: int, repeat: int, budget: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user, backend="homecoming.accounts.access.AccessBackend")
    seen: set[str] = set()
    per: dict[str, int] = {}
    queue = deque(["/"])
    pages, broken = [], []
    while queue and len(pages) < budget:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        name = _name(path)
        if name is None or _skipped(name, path) or per.get(name, 0) >= per_name:
            continue
        per[name] = per.get(name, 0) + 1
        times = []
        for i in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            if i == 0:
                status, count = response.status_code, len(queries)
                body = response.content.decode("utf-8", "replace") if status == 200 else ""
        if status != 200:
            broken.append({"role": username, "path": path, "name": name, "status": status})
            continue
        pages.append({"role": username, "path": path, "name": name, "ms": statistics.median(times),
                      "cold_ms": times[0], "queries": count})
        if "text/html" in response.get("Content-Type", ""):
            queue.extend(p for p in links(body, path) if p not in seen)
    return {"pages": pages, "broken": broken}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--per-name", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=int, default=400)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()
    from homecoming.core.management.commands.demo import DEMO_ACCOUNTS
    from homecoming.registry.models import Person

    result = {"persons": Person.objects.count(), "pages": [], "broken": []}
    for username in DEMO_ACCOUNTS:
        started = time.perf_counter()
        one = crawl_role(username, per_name=args.per_name, repeat=args.repeat, budget=args.budget)
        result["pages"] += one["pages"]
        result["broken"] += one["broken"]
        print(f"  {username}: {len(one['pages'])} pages, {len(one['broken'])} broken links, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
