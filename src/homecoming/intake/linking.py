"""Linking list rows against the register with the linkage engine (homecoming.linkage)."""

from __future__ import annotations

from homecoming.linkage import LinkageIndex, PartialDate, Record

from .selectors import register_records

MAX_CANDIDATES = 5


def partial_date(iso: str | None, precision: str | None) -> PartialDate | None:
    if not iso:
        return None
    y, m, d = (int(x) for x in iso.split("-"))
    if precision == "year":
        return PartialDate(y)
    if precision == "month":
        return PartialDate(y, m)
    return PartialDate(y, m, d)


def build_index() -> LinkageIndex:
    """An index of the active register (canonical and alternative names)."""
    return LinkageIndex(register_records())


def row_record(row_number: int, data: dict) -> Record:
    return Record(
        str(row_number), last_name=data.get("last_name", ""), first_name=data.get("first_name", ""),
        patronymic=data.get("patronymic", ""),
        full_name=data.get("full_name", "") if not (data.get("last_name") or data.get("first_name")) else "",
        birth_date=partial_date(data.get("birth_date"), data.get("birth_date_precision")),
        service_number=data.get("service_number", ""), tax_number=data.get("tax_number", ""),
    )


def person_id_of(registry_id: str) -> int:
    """Register records of alternative names are ``<person>/<alt>``; both mean the person."""
    return int(str(registry_id).split("/", 1)[0])


def link(index: LinkageIndex, rows: list[tuple[int, dict]]) -> dict[int, dict]:
    """row number -> {decision, reason, candidates, list_duplicates}, candidates best first with
    one entry per person (the best of its names), each with its score and explanation."""
    results = index.link([row_record(n, d) for n, d in rows], explain=True)
    out: dict[int, dict] = {}
    for res in results:
        seen: set[int] = set()
        candidates = []
        for c in res.candidates:
            pid = person_id_of(c.registry_id)
            if pid in seen:
                continue
            seen.add(pid)
            d = c.to_dict()
            d.pop("registry_id", None)
            d["person_id"] = pid
            candidates.append(d)
            if len(candidates) >= MAX_CANDIDATES:
                break
        decision = res.decision
        if decision == "match" and len({person_id_of(c.registry_id) for c in res.candidates[:1]}) != 1:
            decision = "review"
        out[int(res.row_id)] = {
            "decision": decision, "reason": res.reason[:300], "candidates": candidates,
            "list_duplicates": [int(x) for x in res.list_duplicates],
        }
    return out
