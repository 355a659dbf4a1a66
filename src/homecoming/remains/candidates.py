"""Candidates for remains, explained: every missing person ranked by how their ante-mortem data
agree with the post-mortem data, field by field. Pure Python (no Django): plain records in,
ranked candidates with their evidence out, so that it is tested with hypothesis and benchmarked
on its own (bench/remains/).

Each field's comparison (:func:`explain`) gives a level, a weight in bits (positive: agrees,
negative: disagrees, 0: says nothing) and a reason code with its values, as the linkage review
queue shows a pair; the app words the reason in the reader's language. A candidate's score is the
sum of its weights. Sex excludes: remains of a man are never a missing woman's.

The fields: sex; age (the estimated range against the age the person would have had at the
declared date, from the year of birth); height range against height range; hair; dental status;
marks by kind and body location (a mark known in life found on the body; the same kind on the
other side of the body counts for less: left and right are confused in accounts); place of
disappearance against the place declared (script-independent keys of the place's words, so that
Вугледар meets Угледар); date of disappearance against the date declared (a body found before the
person disappeared is strong evidence against); and names written on documents found with the
remains, through the linkage engine's own name comparison
(:func:`homecoming.linkage.compare_names`, which reads Russian spellings of Ukrainian names).

Speed (:class:`Index`): every field's weight depends on one value of the person (their year of
birth, height range, hair, ...), so for each remains the weight of every distinct value is
computed once by the same function :func:`explain` uses, and a person's score is a few table
look-ups. Blocking: persons are kept in buckets by sex and year of birth, and only the years
within :data:`AGE_SLACK` years of the estimated age are scanned (beyond that the age weight alone
puts a person far down); persons whose name matches a name on a document found are scored
whatever their age. The evidence of the candidates shown is computed by :func:`explain` itself,
and the property test checks that the tables give exactly its score.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from homecoming.linkage import Record, compare_names, prepare
from homecoming.names import normalize_key, search_keys

UNKNOWN = "unknown"
#: years beyond an age estimate that are still scanned (further, the person is not a candidate
#: unless a document found names them)
AGE_SLACK = 10
#: marks, by kind: weight when the same mark is found at the same place on the body
#: places that share a word (by key): the only weight a place gives, strong (one settlement among
#: thousands along the front); another place says nothing (declared places are vague, and a body
#: is often found far from where the person went missing)
PLACE_WEIGHT = 5.0
MARK_WEIGHTS = {"tattoo": 4.0, "amputation": 5.0, "implant": 5.0, "scar": 2.5, "other": 1.5}
#: left <-> right: the same mark on the other side of the body
MIRROR = {}
for _part in ("shoulder", "arm", "hand", "leg", "foot"):
    MIRROR[f"left_{_part}"] = f"right_{_part}"
    MIRROR[f"right_{_part}"] = f"left_{_part}"


class PostMortem(NamedTuple):
    """Remains as the app gives them. ``date``: found or died as declared (else the transfer's
    date); ``names``: names written on documents found with them, as found."""

    id: int
    sex: str = UNKNOWN
    age_min: int | None = None
    age_max: int | None = None
    height_min: int | None = None
    height_max: int | None = None
    hair: str = UNKNOWN
    dental: str = UNKNOWN
    marks: tuple[tuple[str, str], ...] = ()  # (kind, location)
    place: str = ""
    date: dt.date | None = None
    names: tuple[str, ...] = ()


class AnteMortem(NamedTuple):
    """A missing person: the register's sex, year of birth, place and date of disappearance and
    names (``aliases``: other spellings), and the ante-mortem record's fields."""

    id: int
    sex: str = UNKNOWN
    birth_year: int | None = None
    height_min: int | None = None
    height_max: int | None = None
    hair: str = UNKNOWN
    dental: str = UNKNOWN
    marks: tuple[tuple[str, str], ...] = ()
    place: str = ""
    date: dt.date | None = None
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    aliases: tuple[tuple[str, str, str], ...] = ()


class Evidence(NamedTuple):
    """One field of one pair: ``level`` (agree, near, differ, excludes, unknown, ...), ``weight``
    in bits, the two values as given, and the reason's code and values for the app to word."""

    field: str
    level: str
    weight: float
    pm: str
    am: str
    reason: str
    values: tuple[tuple[str, object], ...] = ()


class Candidate(NamedTuple):
    person_id: int
    score: float
    evidence: tuple[Evidence, ...]


def _known(v) -> bool:
    return v not in (None, "", UNKNOWN)


def _span(a, b) -> str:
    if a is None and b is None:
        return ""
    if a is None or b is None or a == b:
        return str(a if a is not None else b)
    return f"{a}–{b}"


# --- the fields -------------------------------------------------------------------------------

def compare_sex(pm: str, am: str) -> Evidence:
    if not _known(pm) or not _known(am):
        return Evidence("sex", "unknown", 0.0, pm, am, "not_known")
    if pm != am:
        return Evidence("sex", "excludes", float("-inf"), pm, am, "sex_differs")
    return Evidence("sex", "agree", 0.5, pm, am, "same")


def compare_age(age_min, age_max, ref_year: int | None, birth_year: int | None) -> Evidence:
    pm = _span(age_min, age_max)
    if (age_min is None and age_max is None) or ref_year is None or birth_year is None:
        return Evidence("age", "unknown", 0.0, pm, str(birth_year or ""), "not_known")
    lo = age_min if age_min is not None else age_max
    hi = age_max if age_max is not None else age_min
    # born in ``birth_year``: in ``ref_year`` the person was ref_year - birth_year or one less
    age_hi, age_lo = ref_year - birth_year, ref_year - birth_year - 1
    values = (("age", _span(max(age_lo, 0), age_hi)), ("year", ref_year))
    gap = max(lo - age_hi, age_lo - hi, 0)
    if gap == 0:
        return Evidence("age", "agree", 2.0, pm, str(birth_year), "age_within", values)
    level, weight = ("near", -0.5) if gap <= 3 else ("differ", -3.0) if gap <= AGE_SLACK else ("far", -6.0)
    return Evidence("age", level, weight, pm, str(birth_year), "age_outside", (*values, ("years", gap)))


def compare_height(pm_min, pm_max, am_min, am_max) -> Evidence:
    pm, am = _span(pm_min, pm_max), _span(am_min, am_max)
    if (pm_min is None and pm_max is None) or (am_min is None and am_max is None):
        return Evidence("height", "unknown", 0.0, pm, am, "not_known")
    a_lo, a_hi = (pm_min if pm_min is not None else pm_max), (pm_max if pm_max is not None else pm_min)
    b_lo, b_hi = (am_min if am_min is not None else am_max), (am_max if am_max is not None else am_min)
    gap = max(a_lo - b_hi, b_lo - a_hi, 0)
    if gap == 0:
        return Evidence("height", "agree", 1.5, pm, am, "ranges_overlap")
    if gap <= 5:
        return Evidence("height", "near", -0.5, pm, am, "cm_apart", (("cm", gap),))
    return Evidence("height", "differ", -2.5 if gap <= 12 else -4.0, pm, am, "cm_apart", (("cm", gap),))


def compare_hair(pm: str, am: str) -> Evidence:
    if not _known(pm) or not _known(am):
        return Evidence("hair", "unknown", 0.0, pm, am, "not_known")
    if pm == am:
        return Evidence("hair", "agree", 1.0, pm, am, "same")
    if {"grey", "bald"} & {pm, am}:  # hair greys and falls; on remains it discolours
        return Evidence("hair", "compatible", 0.0, pm, am, "hair_may_change")
    return Evidence("hair", "differ", -1.0, pm, am, "differs")


def compare_dental(pm: str, am: str) -> Evidence:
    if not _known(pm) or not _known(am):
        return Evidence("dental", "unknown", 0.0, pm, am, "not_known")
    if pm == am:
        return Evidence("dental", "agree", 1.0, pm, am, "same")
    return Evidence("dental", "differ", -1.5, pm, am, "differs")


def compare_mark(am_mark: tuple[str, str], pm_marks: Iterable[tuple[str, str]]) -> Evidence:
    """A mark known in life, looked for among the marks found on the body."""
    kind, location = am_mark
    label = f"{kind}:{location}"
    full = MARK_WEIGHTS.get(kind, 1.5)
    best = None
    for pm_kind, pm_location in pm_marks:
        if pm_kind != kind:
            continue
        if pm_location == location:
            return Evidence("mark", "agree", full, label, label, "mark_found")
        if MIRROR.get(location) == pm_location:
            best = Evidence("mark", "mirrored", full / 2, f"{pm_kind}:{pm_location}", label, "mark_other_side")
        elif best is None:
            best = Evidence("mark", "elsewhere", 0.5, f"{pm_kind}:{pm_location}", label, "mark_elsewhere")
    return best or Evidence("mark", "not_found", -0.5, "", label, "mark_not_found")


@lru_cache(maxsize=100_000)
def place_keys(text: str) -> frozenset[str]:
    """Script-independent keys of a place's words of three letters or more."""
    keys: set[str] = set()
    for token in normalize_key(text or "").replace("-", " ").replace(",", " ").split():
        if len(token) >= 3 and token.isalpha():
            keys |= search_keys(token)
    return frozenset(keys)


def compare_place(pm: str, am: str) -> Evidence:
    a, b = place_keys(pm), place_keys(am)
    if not a or not b:
        return Evidence("place", "unknown", 0.0, pm, am, "not_known")
    if a & b:
        return Evidence("place", "agree", PLACE_WEIGHT, pm, am, "same_place")
    return Evidence("place", "differ", 0.0, pm, am, "other_place")


def date_level(days: int) -> tuple[str, float]:
    """Days from the disappearance to the date declared: the level and its weight."""
    if days < -3:  # found (or died) before he disappeared: strong evidence against
        return "before", -4.0
    if days <= 30:
        return "agree", 3.0
    if days <= 180:
        return "near", 1.0
    return "later", 0.0


def compare_date(pm: dt.date | None, am: dt.date | None) -> Evidence:
    """The date declared (found or died) against the date of disappearance."""
    if pm is None or am is None:
        return Evidence("date", "unknown", 0.0, str(pm or ""), str(am or ""), "not_known")
    days = (pm - am).days
    level, weight = date_level(days)
    reason = "found_before_disappeared" if level == "before" else "days_after"
    return Evidence("date", level, weight, pm.isoformat(), am.isoformat(), reason, (("days", abs(days)),))


@lru_cache(maxsize=20_000)
def _prepared_document(name: str):
    return prepare(Record("doc", full_name=name))


def _person_record(am: AnteMortem):
    return prepare(Record(str(am.id), am.last_name, am.first_name, am.patronymic, aliases=am.aliases))


def compare_document_names(names: Iterable[str], am: AnteMortem, prepared=None) -> Evidence:
    """The best agreement of a name written on a document found with the person's names (any of
    their spellings), by the linkage engine's comparison of name parts."""
    names = [n for n in names if (n or "").strip()]
    person = prepared or _person_record(am)
    if not names or not person.last.key:
        return Evidence("documents", "unknown", 0.0, "; ".join(names), "", "not_known")
    best = None
    for name in names:
        doc = _prepared_document(name)
        for variant in person.variants:
            last, first = compare_names(doc.last, variant.last), compare_names(doc.first, variant.first)
            if last == "same" and first == "same":
                level, weight = "agree", 10.0
            elif last in ("same", "close") and first in ("same", "close", "initial"):
                level, weight = "close", 6.0
            elif last == "same":
                level, weight = "surname", 1.0
            else:
                level, weight = "differ", 0.0
            shown = " ".join(p for p in (variant.last.text, variant.first.text, variant.patronymic.text) if p)
            evidence = Evidence("documents", level, weight, name, shown, f"document_{level}")
            if best is None or evidence.weight > best.weight:
                best = evidence
    return best


def explain(pm: PostMortem, am: AnteMortem) -> tuple[Evidence, ...]:
    """Every field of the pair, in the order a reader goes through them."""
    ref_year = pm.date.year if pm.date else None
    out = [
        compare_sex(pm.sex, am.sex),
        compare_age(pm.age_min, pm.age_max, ref_year, am.birth_year),
        compare_height(pm.height_min, pm.height_max, am.height_min, am.height_max),
        compare_hair(pm.hair, am.hair),
        compare_dental(pm.dental, am.dental),
        *(compare_mark(m, pm.marks) for m in am.marks),
        compare_place(pm.place, am.place),
        compare_date(pm.date, am.date),
    ]
    if pm.names:
        out.append(compare_document_names(pm.names, am))
    return tuple(out)


def score(evidence: Iterable[Evidence]) -> float:
    return sum(e.weight for e in evidence)


# --- the index: the same scores, fast ----------------------------------------------------------

class _Bucket:
    """The persons of one sex and one year of birth, as parallel columns of value ids; the
    persons with marks listed apart (most have none)."""

    __slots__ = ("ids", "profiles", "places", "dates", "marked")

    def __init__(self):
        self.ids: list[int] = []
        self.profiles: list[int] = []  # (height range, hair, dental)
        self.places: list[int] = []
        self.dates: list[int] = []
        self.marked: list[tuple[int, tuple]] = []  # (position, marks)


class Index:
    """The missing persons, prepared once for ranking many remains (:meth:`rank`)."""

    def __init__(self, records: Iterable[AnteMortem]):
        self.records: dict[int, AnteMortem] = {}
        self.buckets: dict[tuple[str, int | None], _Bucket] = defaultdict(_Bucket)
        self.profile_values: dict[tuple, int] = {}
        self.place_values: dict[str, int] = {}
        self.place_by_key: dict[str, set[int]] = defaultdict(set)
        self.date_values: dict[dt.date | None, int] = {}
        self.by_name_key: dict[str, set[int]] = defaultdict(set)
        self.mark_values: dict[tuple[str, str], int] = {}
        for am in records:
            self.add(am)

    def add(self, am: AnteMortem) -> None:
        """Add a person (ids are unique: the app builds a new index when the register changes)."""
        self.records[am.id] = am
        sex = am.sex if _known(am.sex) else UNKNOWN
        b = self.buckets[(sex, am.birth_year)]
        b.ids.append(am.id)
        profile = (am.height_min, am.height_max, am.hair, am.dental)
        b.profiles.append(self.profile_values.setdefault(profile, len(self.profile_values)))
        place = normalize_key(am.place or "")
        if place not in self.place_values:
            self.place_values[place] = len(self.place_values)
            for key in place_keys(place):
                self.place_by_key[key].add(self.place_values[place])
        b.places.append(self.place_values[place])
        b.dates.append(self.date_values.setdefault(am.date, len(self.date_values)))
        if am.marks:
            codes = tuple(self.mark_values.setdefault(tuple(m), len(self.mark_values)) for m in am.marks)
            b.marked.append((len(b.ids) - 1, codes))
        for last in (am.last_name, *(a[0] for a in am.aliases)):
            for key in search_keys_of(last):
                self.by_name_key[key].add(am.id)

    def __len__(self) -> int:
        return len(self.records)

    def _tables(self, pm: PostMortem):
        """The weight of every distinct value of each field for ``pm``, by the comparisons
        :func:`explain` makes."""
        hair: dict[str, float] = {}
        dental: dict[str, float] = {}
        heights: dict[tuple, float] = {}
        profiles = [0.0] * len(self.profile_values)
        for (lo, hi, hr, d), i in self.profile_values.items():
            h = heights.get((lo, hi))
            if h is None:
                h = heights[(lo, hi)] = compare_height(pm.height_min, pm.height_max, lo, hi).weight
            if hr not in hair:
                hair[hr] = compare_hair(pm.hair, hr).weight
            if d not in dental:
                dental[d] = compare_dental(pm.dental, d).weight
            profiles[i] = h + hair[hr] + dental[d]
        # a place shares a key with the declared place (PLACE_WEIGHT) or says nothing (0)
        places = [0.0] * len(self.place_values)
        for key in place_keys(pm.place):
            for i in self.place_by_key.get(key, ()):
                places[i] = PLACE_WEIGHT
        dates = [0.0] * len(self.date_values)
        if pm.date is not None:
            for d, i in self.date_values.items():
                if d is not None:
                    dates[i] = date_level((pm.date - d).days)[1]
        return profiles, places, dates

    def _years(self, pm: PostMortem):
        """The years of birth to scan (None: every year)."""
        if pm.date is None or (pm.age_min is None and pm.age_max is None):
            return None
        lo = pm.age_min if pm.age_min is not None else pm.age_max
        hi = pm.age_max if pm.age_max is not None else pm.age_min
        return range(pm.date.year - hi - AGE_SLACK - 1, pm.date.year - lo + AGE_SLACK + 1)

    def _scored(self, pm: PostMortem):
        """(ids, scores) of each bucket the blocking lets through (sex excludes)."""
        profiles, places, dates = self._tables(pm)
        ref_year = pm.date.year if pm.date else None
        years = self._years(pm)
        mark_weights = [compare_mark(mark, pm.marks).weight for mark in self.mark_values]
        pm_sex = pm.sex if _known(pm.sex) else UNKNOWN
        for (sex, year), b in self.buckets.items():
            if pm_sex != UNKNOWN and sex != UNKNOWN and sex != pm_sex:
                continue
            if years is not None and year is not None and year not in years:
                continue
            base = (compare_sex(pm_sex, sex).weight
                    + compare_age(pm.age_min, pm.age_max, ref_year, year).weight)
            scores = [base + profiles[p] + places[q] + dates[d]
                      for p, q, d in zip(b.profiles, b.places, b.dates, strict=True)]
            for position, codes in b.marked:
                for code in codes:
                    scores[position] += mark_weights[code]
            yield b.ids, scores

    def scores(self, pm: PostMortem) -> dict[int, float]:
        """person id -> score, for every person the blocking lets through."""
        out: dict[int, float] = {}
        for ids, scores in self._scored(pm):
            out.update(zip(ids, scores, strict=True))
        if pm.names:
            self._add_names(pm, out)
        return out

    def _add_names(self, pm: PostMortem, out: dict[int, float]) -> None:
        """Names on documents: persons whose surname shares a key with one are compared (and scored
        whatever their year of birth: a document can outweigh a wrong age estimate)."""
        found: set[int] = set()
        for name in pm.names:
            doc = _prepared_document(name)
            for part in (doc.last, doc.first):  # the name may be written in either order
                for key in part.keys:
                    found |= self.by_name_key.get(key, set())
        for pid in found:
            am = self.records[pid]
            if pid not in out:
                evidence = explain(pm, am)
                if evidence[0].level != "excludes":
                    out[pid] = score(evidence)
                continue
            out[pid] += compare_document_names(pm.names, am).weight

    def rank(self, pm: PostMortem, limit: int = 20) -> list[Candidate]:
        """The ``limit`` best candidates, best first (ties by person id), with their evidence."""
        if pm.names:
            pairs = list(self.scores(pm).items())
        else:  # without names, no dictionary of every score: a bucket below the best so far is skipped
            pairs = []
            threshold = float("-inf")
            for ids, scores in self._scored(pm):
                if not scores or max(scores) < threshold:
                    continue
                pairs.extend((pid, s) for pid, s in zip(ids, scores, strict=True) if s >= threshold)
                if len(pairs) >= limit:
                    threshold = heapq.nlargest(limit, (s for _pid, s in pairs))[-1]
                    pairs = [pair for pair in pairs if pair[1] >= threshold]
        best = heapq.nsmallest(limit, pairs, key=lambda kv: (-kv[1], kv[0]))
        return [Candidate(pid, s, explain(pm, self.records[pid])) for pid, s in best]


@lru_cache(maxsize=100_000)
def search_keys_of(name: str) -> frozenset[str]:
    """The linkage engine's keys of a surname (as it blocks on them)."""
    return prepare(Record("k", name or "", "x")).last.keys


def rank(pm: PostMortem, records: Iterable[AnteMortem], limit: int = 20) -> list[Candidate]:
    """Rank ``records`` for ``pm`` without keeping an index (one remains, a small register)."""
    return Index(records).rank(pm, limit)
