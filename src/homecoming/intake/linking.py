"""Linking list rows against the register with the linkage engine (homecoming.linkage)."""

from __future__ import annotations

from homecoming.linkage import LinkageIndex, PartialDate, Record

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


def row_record(row_number: int, data: dict) -> Record:
    return Record(
        str(row_number), last_name=data.get("last_name", ""), first_name=data.get("first_name", ""),
        patronymic=data.get("patronymic", ""),
        full_name=data.get("full_name", "") if not (data.get("last_name") or data.get("first_name")) else "",
        birth_date=partial_date(data.get("birth_date"), data.get("birth_date_precision")),
        service_number=data.get("service_number", ""), tax_number=data.get("tax_number", ""),
    )


def person_id_of(registry_id: str) -> int:
    """The person of a register record (its id; alternative names are aliases of it)."""
    return int(str(registry_id))


def link(index: LinkageIndex, rows: list[tuple[int, dict]]) -> dict[int, dict]:
    """row number -> {decision, reason, candidates, list_duplicates}, candidates best first, one
    per person (a person's alternative names are aliases of one record, compared under the
    spelling that agrees best), each with its score and explanation."""
    results = index.link([row_record(n, d) for n, d in rows], explain=True)
    out: dict[int, dict] = {}
    for res in results:
        candidates = []
        for c in res.candidates[:MAX_CANDIDATES]:
            d = c.to_dict()
            d["person_id"] = person_id_of(d.pop("registry_id"))
            candidates.append(d)
        out[int(res.row_id)] = {
            "decision": res.decision, "reason": res.reason[:300], "candidates": candidates,
            "list_duplicates": [int(x) for x in res.list_duplicates],
        }
    return out
