"""Runs inside one database (DATABASE_URL set by __main__): 200 name searches, two ways.

Prints one JSON object: p50/p95 (ms) and how many queries found their target, for
(a) the register search (keys from homecoming.names.search_keys; what the register page runs:
count + first page of 50) and (b) the best simple alternative: every query token must occur
(``icontains``) in a name column of the person or of one of their alternative names.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time


def main(n_queries: int, seed: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()
    from django.db.models import Q

    from homecoming.names import transliterate
    from homecoming.registry.demo import russian_form
    from homecoming.registry.models import Person
    from homecoming.registry.selectors import RegisterFilters, active_persons, filter_persons

    rng = random.Random(seed)  # noqa: S311
    ids = list(active_persons().values_list("pk", flat=True))
    sample = Person.objects.in_bulk(rng.sample(ids, n_queries))

    def variants(p):
        ru = (russian_form(p.last_name, "last"), russian_form(p.first_name, "first"),
              russian_form(p.patronymic, "patronymic"))
        return [
            ("uk", f"{p.last_name} {p.first_name}"),
            ("uk", f"{p.last_name.lower()} {p.first_name[0].lower()}"),
            ("uk", f"{p.first_name} {p.patronymic} {p.last_name}"),
            ("ru", f"{ru[0]} {ru[1]}"),
            ("ru", f"{ru[1]} {ru[2]} {ru[0]}".upper()),
            ("latin", transliterate(f"{p.first_name} {p.last_name}", "kmu2010")),
            ("latin", transliterate(f"{ru[1]} {ru[0]}", "bgn")),
            ("latin", transliterate(f"{p.last_name} {p.first_name[0]}.", "kmu2010").upper()),
        ]

    queries = []
    for i, p in enumerate(sample.values()):
        script, q = variants(p)[i % 8]
        queries.append((script, q, p.pk))

    def keys_search(q):
        return filter_persons(RegisterFilters(q=q))

    def icontains_search(q):
        qs = active_persons()
        for token in q.replace(".", " ").split():
            cond = Q()
            for f in ("last_name", "first_name", "patronymic"):
                cond |= Q(**{f"{f}__icontains": token}) | Q(**{f"alternative_names__{f}__icontains": token})
            qs = qs.filter(cond)
        return qs.distinct().order_by("last_name", "first_name", "patronymic", "id")

    keys_search("warm up the name tables")
    result = {"queries": len(queries), "persons": len(ids), "vendor": None}
    from django.db import connection

    result["vendor"] = connection.vendor
    for name, fn in (("keys", keys_search), ("icontains", icontains_search)):
        times, found, by_script, sizes = [], 0, {}, []
        for script, q, target in queries:
            start = time.perf_counter()
            qs = fn(q)
            count = qs.count()
            list(qs[:50])
            times.append((time.perf_counter() - start) * 1000)
            hit = qs.filter(pk=target).exists()
            found += hit
            sizes.append(count)
            s = by_script.setdefault(script, [0, 0])
            s[0] += hit
            s[1] += 1
        times.sort()
        result[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "max_ms": round(times[-1], 1),
            "found": found,
            "found_by_script": by_script,
            "median_results": statistics.median(sizes),
        }
    result["examples"] = [q for _s, q, _t in queries[:8]]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 7)
