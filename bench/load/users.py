"""The simulated users (locust). Imported by bench.load.drive only: locust patches the standard
library with gevent on import, so nothing else imports this module.

Staff: each simulated user holds one signed-in session of the load-test account and does, with
a short pause (0.1-0.3 s) between requests, what staff do all day, in these proportions:
search the register by name (3), open a person (3), open a page of an incoming list's review
queue (2), the start page (1), an exchange page (1: an agreement or a stage).

Family: a fixed number of simulated families (0.5-1.5 s between look-ups), each look-up from
its own synthetic address (see bench.load.settings): 70 % an unknown reference, 20 % a real
reference with a wrong code, 10 % the right code. A 429 (lock-out) counts as an error: the test
must measure answers, not lock-out pages.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie
from urllib.parse import quote

from locust import FastHttpUser, between, task
from locust.exception import StopUser

TARGETS = json.load(open(os.environ["LOAD_TARGETS"], encoding="utf-8"))  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "500000"))  # a bound on the whole run
_sessions = itertools.cycle(TARGETS["sessions"])
_count = itertools.count()
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True,
                  None, None, {})


def _bounded():
    if next(_count) >= MAX_REQUESTS:
        raise StopUser()


def _check(response, marker: str | None = None):
    """200 with the expected page, or a failure naming what came back."""
    if response.status_code != 200:
        response.failure(f"HTTP {response.status_code}")
    elif marker is not None and marker not in (response.text or ""):
        response.failure(f"no {marker!r} in the page")
    else:
        response.success()


class Staff(FastHttpUser):
    weight = 1
    wait_time = between(0.1, 0.3)

    def on_start(self):
        self.client.cookiejar.set_cookie(_cookie("sessionid", next(_sessions)))

    def _get(self, path: str, name: str, marker: str | None = "</main>"):
        _bounded()
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            _check(r, marker)

    @task(3)
    def search(self):
        q = random.choice(TARGETS["queries"])
        self._get(f"/persons/?q={quote(q)}", "staff: search by name")

    @task(3)
    def person(self):
        self._get(f"/persons/{random.choice(TARGETS['persons'])}/", "staff: person page")

    @task(2)
    def review(self):
        if not TARGETS["lists"]:
            return
        pk, pages = random.choice(TARGETS["lists"])
        self._get(f"/intake/lists/{pk}/?show=review&page={random.randint(1, pages)}", "staff: review queue")

    @task(1)
    def start_page(self):
        self._get("/", "staff: start page")

    @task(1)
    def exchanges(self):
        if TARGETS["stages"] and random.random() < 0.5:
            self._get(f"/exchanges/stages/{random.choice(TARGETS['stages'])}/", "staff: exchange pages")
        elif TARGETS["agreements"]:
            self._get(f"/exchanges/agreements/{random.choice(TARGETS['agreements'])}/", "staff: exchange pages")


class Family(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_FAMILIES", "4"))
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.token = None
        self.known = TARGETS["inquiries"]

    @task
    def look_up(self):
        _bounded()
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        headers = {"X-Load-Test-Address": address}
        if self.token is None:
            with self.client.get("/family/", name="family: portal page", headers=headers,
                                 catch_response=True) as r:
                _check(r, "csrfmiddlewaretoken")
                m = CSRF_RE.search(r.text or "")
                self.token = m.group(1) if m else ""
            return
        roll = random.random()
        if roll < 0.7:
            body = "".join(random.choice(ALPHABET) for _ in range(6))
            reference, code, name, marker = f"INQ-{body[:4]}-{body[4:]}", "AAAA-BBBB-CCCC-DDDD", \
                "family: wrong code", "denied-title"
        elif roll < 0.9:
            reference, _ = random.choice(self.known)
            code, name, marker = "AAAA-BBBB-CCCC-DDDD", "family: wrong code", "denied-title"
        else:
            reference, code = random.choice(self.known)
            name, marker = "family: right code", "family-status"
        with self.client.post("/family/", data={"csrfmiddlewaretoken": self.token, "reference": reference,
                                                "code": code}, name=name, headers=headers,
                              catch_response=True) as r:
            _check(r, marker)
