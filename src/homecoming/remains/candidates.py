"""Candidates for remains, explained: every missing person ranked by how their ante-mortem data
agree with the post-mortem data, field by field. Pure Python (no Django): plain records in,
ranked candidates with their evidence out, so that it is tested with hypothesis and benchmarked
on its own (bench/remains/).

Each field's comparison gives a level, a weight in bits (positive: agrees, negative: disagrees,
0: says nothing) and a reason code with its values, as the linkage review queue shows a pair; the
app words the reason in the reader's language. A candidate's score is the sum of its weights.
Sex excludes: remains of a man are never a missing woman's.

The weights are likelihood ratios, as the linkage engine's (Fellegi-Sunter): for each field's
level, ``log2(m / u)``, where ``m`` is the chance of that level when the remains are the person's
(the stated error of post-mortem examination and of what families report: :data:`M`) and ``u``
the chance of that level for a person of the register taken at random, counted in the register
itself for these remains (:meth:`Index.weights`). So a rare mark, hair colour, place or name is
stronger evidence than a common one, and an age or height that many persons share says little.

The fields: sex; age (the estimated range against the age the person had between the
disappearance and the date declared, from the year of birth; ``u`` from the register's years of
birth); height range against height range (``m`` falls with the centimetres apart, ``u`` from the
register's heights); hair; dental status; marks by kind and body location (a mark known in life
found on the body, weighed by how rare that mark is in the register; the same kind on the other
side of the body counts for less: left and right are confused in accounts); place of
disappearance against the place declared (script-independent keys of the place's words, so that
Вугледар meets Угледар; a word that many places share, such as "село", is no agreement; the
rarer the place, the stronger); date of disappearance against the date declared (a body found
before the person disappeared is strong evidence against); and names written on documents found
with the remains, through the linkage engine's own name comparison
(:func:`homecoming.linkage.compare_names`, which reads Russian spellings of Ukrainian names),
weighed by how many persons of the register carry that name.

Speed (:meth:`Index.rank`), exact: the weight of every distinct value of each field is computed
once per remains by the same functions :meth:`Index.explain` uses, and a person's score is a few
table look-ups (in thousandths of a bit, integers, so that every path adds up to the same score).
Sparse first: the persons that have some positive evidence that few share (a place, a date within
the window, a mark, a name on a document) are scored first; the rest, in buckets of sex, year of
birth and year of disappearance, only while the bucket's best possible score (its age weight plus
the best weights of the other fields) can still reach the 20th score. The test suite checks that
this gives the same first 20 as scoring everyone (:meth:`Index.rank_exhaustive`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from homecoming.linkage import Record, compare_names, prepare
from homecoming.names import normalize_key, search_keys

UNKNOWN = "unknown"
EXCLUDED = None

#: m: the chance of each level when the remains are the person's. Stated, not fitted to any set:
#: forensic age ranges hold the true age about four times in five (outside, the error halves with
#: each year); stature estimates hold the reported height range in most cases (outside, a few cm);
#: hair is often discoloured; dental records gain fillings; a mark known in life is found on the
#: body about half the time (decomposition, injuries), on the other side now and then; the place
#: declared by the other side is the place of disappearance about half the time; bodies are found
#: days to years after the disappearance; a document found with a body is usually the person's.
M = {
    "sex": 0.99,
    # outside the range: most of the rest near (each year half as likely as the one before), and
    # a gross error (a wrong year of birth, a misread body) anywhere within 40 years or cm
    "age_within": 0.8, "age_year_outside": 0.5, "age_gross": 0.03,
    "height_within": 0.85, "height_cm_outside": 0.75, "height_gross": 0.02,
    "hair": {"agree": 0.8, "compatible": 0.1, "differ": 0.1},
    "dental": {"agree": 0.85, "differ": 0.15},
    "mark": {"agree": 0.5, "mirrored": 0.05, "elsewhere": 0.1, "not_found": 0.35},
    "place": {"agree": 0.5, "differ": 0.5},
    "date": {"before": 0.02, "agree": 0.35, "near": 0.25, "months": 0.2, "later": 0.18},
    "documents": {"agree": 0.85, "close": 0.07, "surname": 0.03, "differ": 0.05},
}
#: u of a typical register (the shares :func:`_u` starts from), and how many persons it weighs as
PRIOR_PERSONS = 50
U0 = {
    "sex": 0.5, "age_within": 0.25, "age_year_outside": 0.02, "height_within": 0.3, "height_cm_outside": 0.02,
    "hair": {"agree": 0.2, "compatible": 0.2, "differ": 0.6}, "dental": {"agree": 0.3, "differ": 0.7},
    "mark": 0.01, "place_word": 0.01,
    "date": {"before": 0.3, "agree": 0.03, "near": 0.05, "months": 0.2, "later": 0.42},
    "documents": {"agree": 0.001, "close": 0.002, "surname": 0.01, "differ": 0.987},
}
#: a word of a place shared by more than this share of the register's places is no agreement
COMMON_PLACE_WORD = 0.05
#: weights are kept within these bounds (bits)
MIN_WEIGHT, MAX_WEIGHT = -12.0, 20.0
#: left <-> right: the same mark on the other side of the body
MIRROR = {}
for _part in ("shoulder", "arm", "hand", "leg", "foot"):
    MIRROR[f"left_{_part}"] = f"right_{_part}"
    MIRROR[f"right_{_part}"] = f"left_{_part}"
#: kept for the app and older callers: years beyond an age estimate are far (weight at its floor)
AGE_SLACK = 10


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


def _range(lo, hi):
    if lo is None and hi is None:
        return None
    lo, hi = (lo if lo is not None else hi), (hi if hi is not None else lo)
    return (lo, hi) if lo <= hi else (hi, lo)


def _gap(a, b) -> int:
    return max(a[0] - b[1], b[0] - a[1], 0)


def _ms(m: float, u: float) -> int:
    """log2(m / u) in thousandths of a bit, within the bounds."""
    bits = math.log2(m / u) if m > 0 and u > 0 else MIN_WEIGHT
    return round(1000 * min(max(bits, MIN_WEIGHT), MAX_WEIGHT))


def _u(count: float, total: float, prior: float) -> float:
    """A share counted in the register, with :data:`PRIOR_PERSONS` persons of a typical register
    added at the ``prior`` share: a value nobody has is not infinitely strong, and a small
    register (a demo, one found by blocking) gives weights near the typical ones."""
    return (count + PRIOR_PERSONS * prior) / (total + PRIOR_PERSONS)


# --- the levels of each field (values in, level out; the weights come from the register) -----

def age_level(pm: PostMortem, birth_year, disappeared_year):
    """(gap in years or None, the ages shown, the years shown): the person's age between the
    year of disappearance and the year declared against the estimated range."""
    estimate = _range(pm.age_min, pm.age_max)
    found = pm.date.year if pm.date else None
    if estimate is None or birth_year is None or (found is None and disappeared_year is None):
        return None, "", ""
    first = min(y for y in (found, disappeared_year) if y is not None)
    last = found if found is not None else disappeared_year
    ages = (max(first - birth_year - 1, 0), max(last - birth_year, 0))
    return _gap(estimate, ages), _span(*ages), _span(first, last)


def height_gap(pm: PostMortem, am_min, am_max):
    a, b = _range(pm.height_min, pm.height_max), _range(am_min, am_max)
    return None if a is None or b is None else _gap(a, b)


def hair_level(pm: str, am: str) -> str:
    if not _known(pm) or not _known(am):
        return "unknown"
    if pm == am:
        return "agree"
    if {"grey", "bald"} & {pm, am}:  # hair greys and falls; on remains it discolours
        return "compatible"
    return "differ"


def dental_level(pm: str, am: str) -> str:
    if not _known(pm) or not _known(am):
        return "unknown"
    return "agree" if pm == am else "differ"


def mark_level(am_mark: tuple[str, str], pm_marks: Iterable[tuple[str, str]]):
    """(level, the mark on the body shown) of a mark known in life among those found."""
    kind, location = am_mark
    best = None
    for pm_kind, pm_location in pm_marks:
        if pm_kind != kind:
            continue
        if pm_location == location:
            return "agree", f"{kind}:{location}"
        if MIRROR.get(location) == pm_location:
            best = ("mirrored", f"{pm_kind}:{pm_location}")
        elif best is None:
            best = ("elsewhere", f"{pm_kind}:{pm_location}")
    return best or ("not_found", "")


#: days from the disappearance to the date declared, by level (first to last day, both included)
DATE_LEVELS = {"before": (-10**6, -4), "agree": (-3, 30), "near": (31, 90), "months": (91, 365),
               "later": (366, 10**6)}


def date_level(days: int) -> str:
    """Days from the disappearance to the date declared (found or died before the person
    disappeared, beyond three days: strong evidence against)."""
    for level, (lo, hi) in DATE_LEVELS.items():
        if lo <= days <= hi:
            return level
    return "later"


@lru_cache(maxsize=100_000)
def place_keys(text: str) -> frozenset[str]:
    """Script-independent keys of a place's words of three letters or more (a number, as in
    "Село 12" or a height's number, is a key of its own)."""
    keys: set[str] = set()
    for token in normalize_key(text or "").replace("-", " ").replace(",", " ").split():
        if token.isdigit():
            keys.add("#" + token)
        elif len(token) >= 3 and token.isalpha():
            keys |= search_keys(token)
    return frozenset(keys)


@lru_cache(maxsize=20_000)
def _prepared_document(name: str):
    return prepare(Record("doc", full_name=name))


@lru_cache(maxsize=100_000)
def search_keys_of(name: str) -> frozenset[str]:
    """The linkage engine's keys of a surname (as it blocks on them)."""
    return prepare(Record("k", name or "", "x")).last.keys


def _person_name_keys(am: AnteMortem) -> frozenset[str]:
    keys: set[str] = set()
    for last in (am.last_name, *(a[0] for a in am.aliases)):
        keys |= search_keys_of(last)
    return frozenset(keys)


def _document_keys(names) -> frozenset[str]:
    keys: set[str] = set()
    for name in names:
        doc = _prepared_document(name)
        keys |= doc.last.keys | doc.first.keys  # the name may be written in either order
    return frozenset(keys)


def document_level(names, am: AnteMortem, prepared=None):
    """(level, the name found, the person's name shown): the best agreement of a name written on
    a document found with the person's names (any of their spellings), by the linkage engine's
    comparison of name parts. Only persons whose surname shares a key with a name found are
    compared (as the linkage engine blocks); the others differ."""
    names = [n for n in names if (n or "").strip()]
    if not names:
        return "unknown", "", ""
    if _person_name_keys(am).isdisjoint(_document_keys(names)):
        return "differ", "; ".join(names), am.last_name
    person = prepared or prepare(Record(str(am.id), am.last_name, am.first_name, am.patronymic,
                                        aliases=am.aliases))
    rank_of = {"agree": 0, "close": 1, "surname": 2, "differ": 3}
    best = ("differ", "; ".join(names), am.last_name)
    for name in names:
        doc = _prepared_document(name)
        for variant in person.variants:
            last, first = compare_names(doc.last, variant.last), compare_names(doc.first, variant.first)
            if last == "same" and first == "same":
                level = "agree"
            elif last in ("same", "close") and first in ("same", "close", "initial"):
                level = "close"
            elif last == "same":
                level = "surname"
            else:
                level = "differ"
            if rank_of[level] < rank_of[best[0]]:
                shown = " ".join(p for p in (variant.last.text, variant.first.text, variant.patronymic.text) if p)
                best = (level, name, shown)
    return best


# --- the weights of one remains, counted in the register ---------------------------------------

class Weights:
    """For one remains: the weight (thousandths of a bit) of every level of every field, with the
    register's shares; built by :meth:`Index.weights`."""

    def __init__(self):
        self.sex: dict[str, int | None] = {}
        self.age: dict[int, int] = {}
        self.height: dict[int, int] = {}
        self.hair: dict[str, int] = {}
        self.dental: dict[str, int] = {}
        self.mark: dict[tuple[tuple[str, str], str], int] = {}
        self.place: dict[str, tuple[str, int]] = {}  # normalised place -> (level, weight)
        self.date: dict[str, int] = {}
        self.documents: dict[str, int] = {}
        self.document_levels: dict[int, tuple] = {}  # position -> document_level(...)
        self.age_gap: dict[tuple, int | None] = {}  # (year of birth, of disappearance) -> gap


def _never_stronger_further(weights: dict[int, int]) -> None:
    """Further outside a range never weighs less against than nearer (the register's shares of
    far gaps are few and noisy)."""
    lowest = None
    for gap in sorted(weights):
        if gap > 0:
            lowest = weights[gap] if lowest is None else min(lowest, weights[gap])
            weights[gap] = lowest


def _geometric(first: float, ratio: float, n: int) -> float:
    """m of ``n`` steps (years, cm) outside a range: the share ``first`` left outside, spread so
    that each step is ``ratio`` times as likely as the one before."""
    return first * (1 - ratio) * ratio ** (n - 1)


class Index:
    """The missing persons, prepared once for ranking many remains (:meth:`rank`).

    Persons are kept in buckets of sex, year of birth and month of disappearance, each bucket as
    parallel columns of value ids (a profile of height, hair and dental status; a place; a date;
    marks apart, as most persons have none)."""

    def __init__(self, records: Iterable[AnteMortem]):
        self.records: list[AnteMortem] = []
        self.position: dict[int, int] = {}
        self.slot: list[tuple[int, int]] = []  # position -> (bucket, index in the bucket)
        # buckets: (sex, birth year, year, month of disappearance) and their columns
        self.buckets: list[tuple] = []
        self.bucket_members: list[list[int]] = []
        self.bucket_ids: list[list[int]] = []
        self.bucket_profiles: list[list[int]] = []
        self.bucket_places: list[list[int]] = []
        self.bucket_dates: list[list[int]] = []
        self.bucket_marked: list[list[tuple[int, tuple[int, ...]]]] = []
        # distinct values, with how many persons have them (and where)
        self.profiles: list[tuple[int, int, int]] = []  # (height id, hair id, dental id)
        self.heights: list[tuple | None] = []
        self.height_count: list[int] = []
        self.hairs: list[str] = []
        self.hair_count: list[int] = []
        self.dentals: list[str] = []
        self.dental_count: list[int] = []
        self.places: list[str] = []
        self.place_count: list[int] = []
        self.place_buckets: list[set[int]] = []
        self.place_by_key: dict[str, set[int]] = defaultdict(set)
        self.dates: list[dt.date | None] = []
        self.date_ordinals: list[int] = []  # sorted, one per person with a date
        self.mark_values: list[tuple[str, str]] = []
        self.mark_count: list[int] = []
        self.mark_buckets: list[set[int]] = []
        self.mark_members: list[list[int]] = []
        self.col_marks: list[tuple[int, ...]] = []  # position -> mark ids
        self.bucket_sex: list[str] = []
        self.bucket_age: list[int] = []  # bucket -> id of (year of birth, year of disappearance)
        self.bucket_month: list[int] = []  # bucket -> id of (year, month of disappearance)
        self.age_keys: list[tuple] = []
        self.months: list[tuple] = []
        self.date_rank: list[int] = []  # date id -> rank among the distinct dates (None: last)
        self.sex_count: Counter = Counter()
        self.age_groups: Counter = Counter()  # (year of birth, year of disappearance) -> persons
        self.by_name_key: dict[str, set[int]] = defaultdict(set)
        self._ids: dict[str, dict] = defaultdict(dict)
        self._distinct_ordinals: list[int] = []
        self._sorted = False
        for am in records:
            self.add(am)

    def _id(self, kind: str, value, values: list, *lists: list, empty=list) -> int:
        ids = self._ids[kind]
        i = ids.get(value)
        if i is None:
            i = ids[value] = len(values)
            values.append(value)
            for extra in lists:
                extra.append(empty())
        return i

    def add(self, am: AnteMortem) -> None:
        """Add a person (ids are unique: the app builds a new index when the register changes)."""
        pos = len(self.records)
        self.records.append(am)
        self.position[am.id] = pos
        sex = am.sex if _known(am.sex) else UNKNOWN
        key = (sex, am.birth_year, am.date.year if am.date else None, am.date.month if am.date else None)
        b = self._id("bucket", key, self.buckets, self.bucket_members, self.bucket_ids, self.bucket_profiles,
                     self.bucket_places, self.bucket_dates, self.bucket_marked)
        if b == len(self.bucket_sex):
            self.bucket_sex.append(sex)
            self.bucket_age.append(self._id("age", (key[1], key[2]), self.age_keys))
            self.bucket_month.append(self._id("month", (key[2], key[3]), self.months))
        self.slot.append((b, len(self.bucket_members[b])))
        self.sex_count[sex] += 1
        self.age_groups[(am.birth_year, key[2])] += 1
        self.bucket_members[b].append(pos)
        self.bucket_ids[b].append(am.id)
        h = self._id("height", _range(am.height_min, am.height_max), self.heights, self.height_count, empty=int)
        self.height_count[h] += 1
        hair = am.hair if _known(am.hair) else UNKNOWN
        r = self._id("hair", hair, self.hairs, self.hair_count, empty=int)
        self.hair_count[r] += 1
        dental = am.dental if _known(am.dental) else UNKNOWN
        d = self._id("dental", dental, self.dentals, self.dental_count, empty=int)
        self.dental_count[d] += 1
        self.bucket_profiles[b].append(self._id("profile", (h, r, d), self.profiles))
        place = normalize_key(am.place or "")
        q = self._id("place", place, self.places, self.place_count, self.place_buckets,
                     empty=lambda: None)
        if self.place_count[q] is None:
            self.place_count[q], self.place_buckets[q] = 0, set()
            for k in place_keys(place):
                self.place_by_key[k].add(q)
        self.place_count[q] += 1
        self.place_buckets[q].add(b)
        self.bucket_places[b].append(q)
        self.bucket_dates[b].append(self._id("date", am.date, self.dates))
        if am.date is not None:
            self.date_ordinals.append(am.date.toordinal())
        self._sorted = False
        codes = []
        for mark in dict.fromkeys(tuple(m) for m in am.marks):  # a mark listed twice counts once
            c = self._id("mark", mark, self.mark_values, self.mark_count, self.mark_buckets, self.mark_members,
                         empty=lambda: None)
            if self.mark_count[c] is None:
                self.mark_count[c], self.mark_buckets[c], self.mark_members[c] = 0, set(), []
            self.mark_count[c] += 1
            self.mark_members[c].append(pos)
            self.mark_buckets[c].add(b)
            codes.append(c)
        self.col_marks.append(tuple(codes))
        if codes:
            self.bucket_marked[b].append((len(self.bucket_members[b]) - 1, tuple(codes)))
        for k in _person_name_keys(am):
            self.by_name_key[k].add(pos)

    def __len__(self) -> int:
        return len(self.records)

    # --- the weights of one remains ---------------------------------------------------------

    def weights(self, pm: PostMortem) -> Weights:
        """Every level's weight for ``pm``: m from :data:`M`, u counted in the register."""
        if not self._sorted:
            self.date_ordinals.sort()
            distinct = sorted((d.toordinal(), i) for i, d in enumerate(self.dates) if d is not None)
            self.date_rank = [len(distinct)] * len(self.dates)
            for rank_, (_o, i) in enumerate(distinct):
                self.date_rank[i] = rank_
            self._distinct_ordinals = [o for o, _i in distinct]
            self._sorted = True
        w = Weights()
        n = max(len(self.records), 1)
        # sex: excludes when different; agreement weighs as rare as the sex is in the register
        sexes = self.sex_count
        known_sex = n - sexes[UNKNOWN]
        for sex in (*sexes, UNKNOWN, "male", "female"):
            if not _known(pm.sex) or not _known(sex):
                w.sex[sex] = 0
            elif sex != pm.sex:
                w.sex[sex] = EXCLUDED
            else:
                w.sex[sex] = _ms(M["sex"], _u(sexes[sex], known_sex, U0["sex"]))
        # age: the share of the register at each gap
        gaps = Counter()
        w.age_gap = {}
        for (by, dy), count in self.age_groups.items():
            gap = w.age_gap[(by, dy)] = age_level(pm, by, dy)[0]
            if gap is not None:
                gaps[gap] += count
        total = sum(gaps.values())
        for gap, count in gaps.items():
            m = M["age_within"] if gap == 0 else (
                _geometric(1 - M["age_within"] - M["age_gross"], M["age_year_outside"], gap) + M["age_gross"] / 40)
            w.age[gap] = _ms(m, _u(count, total, U0["age_within"] if gap == 0 else U0["age_year_outside"]))
        _never_stronger_further(w.age)
        # height
        gaps = Counter()
        for value, count in zip(self.heights, self.height_count, strict=True):
            if value is not None:
                gap = height_gap(pm, *value)
                if gap is not None:
                    gaps[gap] += count
        total = sum(gaps.values())
        for gap, count in gaps.items():
            m = M["height_within"] if gap == 0 else (
                _geometric(1 - M["height_within"] - M["height_gross"], M["height_cm_outside"], gap)
                + M["height_gross"] / 40)
            w.height[gap] = _ms(m, _u(count, total, U0["height_within"] if gap == 0 else U0["height_cm_outside"]))
        _never_stronger_further(w.height)
        # hair, dental: the share of the register at each level
        for field, values, counts, level_of in (("hair", self.hairs, self.hair_count, hair_level),
                                                ("dental", self.dentals, self.dental_count, dental_level)):
            levels = Counter()
            for value, count in zip(values, counts, strict=True):
                levels[level_of(pm.hair if field == "hair" else pm.dental, value)] += count
            total = sum(c for lv, c in levels.items() if lv != "unknown")
            out = getattr(w, field)
            out["unknown"] = 0
            for level, m in M[field].items():
                out[level] = _ms(m, _u(levels[level], total, U0[field][level]))
        # marks: the chance that a body shows that mark is the share of the register with it
        share = {mark: _u(count, n, U0["mark"]) for mark, count in zip(self.mark_values, self.mark_count, strict=True)}
        kind_share = Counter()
        for (kind, _loc), s in share.items():
            kind_share[kind] += s
        seen_on_body = M["mark"]["agree"]
        for mark in self.mark_values:
            kind, location = mark
            level = mark_level(mark, pm.marks)[0]
            if level == "agree":
                u = seen_on_body * share[mark]
            elif level == "mirrored":
                u = seen_on_body * share.get((kind, MIRROR.get(location, location)), _u(0, n, U0["mark"]))
            elif level == "elsewhere":
                u = seen_on_body * (kind_share[kind] - share[mark] + _u(0, n, U0["mark"]))
            else:
                u = 1 - seen_on_body * kind_share[kind]
            w.mark[(mark, level)] = _ms(M["mark"][level], min(max(u, 0.5 / n), 1.0))
        # place: the rarest word shared with the place declared; words many places share are none
        self._place_weights(pm, w, n)
        # date: the share of the register at each level (the register's dates, sorted)
        if pm.date is not None and self.date_ordinals:
            o, ords = pm.date.toordinal(), self.date_ordinals
            # days = o - disappearance, in the levels' intervals: the register's dates within each
            counts = {level: bisect.bisect_right(ords, o - lo) - bisect.bisect_left(ords, o - hi)
                      for level, (lo, hi) in DATE_LEVELS.items()}
            for level, m in M["date"].items():
                w.date[level] = _ms(m, _u(counts[level], len(ords), U0["date"][level]))
        w.date["unknown"] = 0
        # documents: the share of the register at each level, compared where a key is shared
        if any((name or "").strip() for name in pm.names):
            found: set[int] = set()
            for key in _document_keys(pm.names):
                found |= self.by_name_key.get(key, set())
            levels = Counter()
            for pos in found:
                w.document_levels[pos] = lv = document_level(pm.names, self.records[pos])
                levels[lv[0]] += 1
            levels["differ"] += n - len(found)
            for level, m in M["documents"].items():
                w.documents[level] = _ms(m, _u(levels[level], n, U0["documents"][level]))
        return w

    def _place_weights(self, pm: PostMortem, w: Weights, n: int) -> None:
        keys = place_keys(normalize_key(pm.place or ""))
        n_places = sum(c for p, c in zip(self.places, self.place_count, strict=True) if place_keys(p))
        key_share = {}
        for key in keys:
            k = sum(self.place_count[q] for q in self.place_by_key.get(key, ()))
            share = _u(k, n_places, U0["place_word"])
            if share <= COMMON_PLACE_WORD:
                key_share[key] = share
        sharing = set()
        for key in key_share:
            sharing |= self.place_by_key.get(key, set())
        u_any = sum(self.place_count[q] for q in sharing) / max(n_places, 1)
        differ = _ms(M["place"]["differ"], max(1 - u_any, 0.5 / max(n_places, 1)))
        for place in self.places:
            pkeys = place_keys(place)
            if not key_share or not pkeys:
                w.place[place] = ("unknown", 0)  # nothing declared (or only common words), nothing known
                continue
            shared = [key_share[k] for k in pkeys & key_share.keys()]
            if shared:
                w.place[place] = ("agree", _ms(M["place"]["agree"], min(shared)))
            else:
                w.place[place] = ("differ", differ)

    # --- evidence, field by field -----------------------------------------------------------

    def explain(self, pm: PostMortem, am: AnteMortem, w: Weights | None = None) -> tuple[Evidence, ...]:
        """Every field of the pair, in the order a reader goes through them (``am`` is a person
        of the index: the document comparison uses the index's blocking)."""
        w = w or self.weights(pm)
        out = []
        sex = am.sex if _known(am.sex) else UNKNOWN
        sw = w.sex.get(sex, 0)
        if sw is EXCLUDED:
            out.append(Evidence("sex", "excludes", float("-inf"), pm.sex, am.sex, "sex_differs"))
        elif not (_known(pm.sex) and _known(am.sex)):
            out.append(Evidence("sex", "unknown", 0.0, pm.sex, am.sex, "not_known"))
        else:
            out.append(Evidence("sex", "agree", sw / 1000, pm.sex, am.sex, "same"))
        gap, ages, years = age_level(pm, am.birth_year, am.date.year if am.date else None)
        pm_age = _span(pm.age_min, pm.age_max)
        if gap is None:
            out.append(Evidence("age", "unknown", 0.0, pm_age, str(am.birth_year or ""), "not_known"))
        else:
            values = (("age", ages), ("year", years))
            level = "agree" if gap == 0 else "near" if gap <= 3 else "differ" if gap <= AGE_SLACK else "far"
            reason = "age_within" if gap == 0 else "age_outside"
            out.append(Evidence("age", level, w.age[gap] / 1000, pm_age, str(am.birth_year), reason,
                                values if gap == 0 else (*values, ("years", gap))))
        gap = height_gap(pm, am.height_min, am.height_max)
        pm_h, am_h = _span(pm.height_min, pm.height_max), _span(am.height_min, am.height_max)
        if gap is None:
            out.append(Evidence("height", "unknown", 0.0, pm_h, am_h, "not_known"))
        elif gap == 0:
            out.append(Evidence("height", "agree", w.height[0] / 1000, pm_h, am_h, "ranges_overlap"))
        else:
            out.append(Evidence("height", "near" if gap <= 5 else "differ", w.height[gap] / 1000, pm_h, am_h,
                                "cm_apart", (("cm", gap),)))
        level = hair_level(pm.hair, am.hair)
        out.append(Evidence("hair", level, w.hair[level] / 1000, pm.hair, am.hair,
                            {"unknown": "not_known", "agree": "same", "compatible": "hair_may_change",
                             "differ": "differs"}[level]))
        level = dental_level(pm.dental, am.dental)
        out.append(Evidence("dental", level, w.dental[level] / 1000, pm.dental, am.dental,
                            {"unknown": "not_known", "agree": "same", "differ": "differs"}[level]))
        for mark in dict.fromkeys(tuple(m) for m in am.marks):
            level, shown = mark_level(mark, pm.marks)
            label = f"{mark[0]}:{mark[1]}"
            reason = {"agree": "mark_found", "mirrored": "mark_other_side", "elsewhere": "mark_elsewhere",
                      "not_found": "mark_not_found"}[level]
            out.append(Evidence("mark", level, w.mark[(mark, level)] / 1000, shown, label, reason))
        level, weight = w.place[normalize_key(am.place or "")]
        out.append(Evidence("place", level, weight / 1000, pm.place, am.place,
                            {"unknown": "not_known", "agree": "same_place", "differ": "other_place"}[level]))
        if pm.date is None or am.date is None:
            out.append(Evidence("date", "unknown", 0.0, str(pm.date or ""), str(am.date or ""), "not_known"))
        else:
            days = (pm.date - am.date).days
            level = date_level(days)
            reason = "found_before_disappeared" if level == "before" else "days_after"
            out.append(Evidence("date", level, w.date[level] / 1000, pm.date.isoformat(), am.date.isoformat(),
                                reason, (("days", abs(days)),)))
        if w.documents:
            pos = self.position.get(am.id)
            level, found, shown = (w.document_levels.get(pos) if pos is not None and self.records[pos] is am
                                   else None) or document_level(pm.names, am)
            out.append(Evidence("documents", level, w.documents[level] / 1000, found, shown, f"document_{level}"))
        return tuple(out)

    # --- ranking ----------------------------------------------------------------------------

    def _tables(self, pm: PostMortem, w: Weights):
        """Per bucket (sex and age; None: excluded) and per value id of each column, the weight in
        thousandths of a bit for ``pm``."""
        ages = [0 if (gap := w.age_gap[key]) is None else w.age[gap] for key in self.age_keys]
        sexes = w.sex
        buckets = [None if (s := sexes.get(sex, 0)) is EXCLUDED else s + ages[a]
                   for sex, a in zip(self.bucket_sex, self.bucket_age, strict=True)]
        heights = []
        for value in self.heights:
            gap = None if value is None else height_gap(pm, *value)
            heights.append(0 if gap is None else w.height[gap])
        hairs = [w.hair[hair_level(pm.hair, v)] for v in self.hairs]
        dentals = [w.dental[dental_level(pm.dental, v)] for v in self.dentals]
        profiles = [heights[h] + hairs[r] + dentals[d] for h, r, d in self.profiles]
        places = [w.place[p][1] for p in self.places]
        if pm.date is None:
            dates = [0] * len(self.dates)
        else:  # the distinct dates in order, level by level (days = found - disappeared)
            o, ordinals, by_rank = pm.date.toordinal(), self._distinct_ordinals, []
            for level, (lo, hi) in sorted(DATE_LEVELS.items(), key=lambda item: -item[1][0]):
                n = bisect.bisect_right(ordinals, o - lo) - bisect.bisect_left(ordinals, o - hi)
                by_rank.extend([w.date.get(level, 0)] * n)
            by_rank.append(0)  # no date
            dates = [by_rank[r] for r in self.date_rank]
        marks = [w.mark[(mark, mark_level(mark, pm.marks)[0])] for mark in self.mark_values]
        return buckets, profiles, places, dates, marks

    def _month_date_bound(self, pm: PostMortem, w: Weights, year, month) -> int:
        """The best date weight of a disappearance in that month."""
        if pm.date is None or year is None:
            return 0
        first = dt.date(year, month, 1)
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
        lo, hi = (pm.date - last).days, (pm.date - first).days  # days from disappearance to found
        levels = [lv for lv, (a, b) in DATE_LEVELS.items() if a <= hi and lo <= b]
        return max(w.date[lv] for lv in levels)

    def _scan(self, pm: PostMortem, w: Weights, limit: int | None):
        """(score, -id) of the best ``limit`` persons (all when None), exactly: buckets are
        scored best bound first, and none is scored whose bound is below the ``limit``-th score."""
        buckets, profiles, places, dates, marks = self._tables(pm, w)
        col_marks, mark_sums = self.col_marks, {}
        n_buckets = len(self.buckets)
        # the bound of each bucket: its sex and age weight, the best date weight of its month, the
        # best profile, and the best place, marks and documents weights found in it
        best_profile = max(profiles, default=0)
        rest_place = max((x for x in places if x <= 0), default=0)
        extra = [0] * n_buckets
        place_extra = [rest_place] * n_buckets
        for q, weight in enumerate(places):
            if weight > 0:
                for b in self.place_buckets[q]:
                    if weight > place_extra[b]:
                        place_extra[b] = weight
        # marks: a person of a bucket weighs at most the positive weights of the marks in it
        for c, weight in enumerate(marks):
            if weight > 0:
                for b in self.mark_buckets[c]:
                    extra[b] += weight
        doc_w = w.documents
        doc_delta: dict[int, list[tuple[int, int]]] = defaultdict(list)
        doc_base = doc_w.get("differ", 0) if doc_w else 0
        doc_extra = [doc_base] * n_buckets
        for pos, level in w.document_levels.items():
            b, j = self.slot[pos]
            weight = doc_w[level[0]]
            if weight != doc_base:
                doc_delta[b].append((j, weight - doc_base))
            if weight > doc_extra[b]:
                doc_extra[b] = weight
        months = [self._month_date_bound(pm, w, dy, dm) for dy, dm in self.months]
        bounds = sorted(((base + best_profile + months[m] + p + x + d, b) for b, (base, m, p, x, d) in enumerate(
            zip(buckets, self.bucket_month, place_extra, extra, doc_extra, strict=True)) if base is not None),
            reverse=True)
        heap: list[tuple[int, int]] = []  # (score, -id): the worst kept on top
        full = False
        for bound, b in bounds:
            if full and bound < heap[0][0]:
                break
            base = buckets[b] + doc_base
            scores = [base + profiles[p] + places[q] + dates[t]
                      for p, q, t in zip(self.bucket_profiles[b], self.bucket_places[b], self.bucket_dates[b],
                                         strict=True)]
            for j, delta in doc_delta.get(b, ()):
                scores[j] += delta
            # marks: the bucket's bound first; exactly for those still in reach
            up = extra[b]
            if full and max(scores) + up < heap[0][0]:
                continue
            members, ids = self.bucket_members[b], self.bucket_ids[b]
            threshold = heap[0][0] if full else None
            for j, s in enumerate(scores):
                if threshold is not None and s + up < threshold:
                    continue
                codes = col_marks[members[j]]
                if codes:
                    m = mark_sums.get(codes)
                    if m is None:
                        m = mark_sums[codes] = sum(marks[c] for c in codes)
                    s += m
                    if threshold is not None and s < threshold:
                        continue
                item = (s, -ids[j])
                if limit is None:
                    heap.append(item)
                elif not full:
                    heapq.heappush(heap, item)
                    full = len(heap) >= limit
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
                if full:
                    threshold = heap[0][0]
        return heap

    def scores(self, pm: PostMortem) -> dict[int, float]:
        """person id -> score (bits) of every person not excluded, by the tables."""
        return {-neg_id: s / 1000 for s, neg_id in self._scan(pm, self.weights(pm), None)}

    def rank(self, pm: PostMortem, limit: int = 20) -> list[Candidate]:
        """The ``limit`` best candidates, best first (ties by person id), with their evidence;
        the same as :meth:`rank_exhaustive`, without scoring most persons."""
        if limit <= 0:
            return []
        w = self.weights(pm)
        best = sorted(self._scan(pm, w, limit), key=lambda item: (-item[0], -item[1]))
        return [self._candidate(pm, w, -neg_id, s) for s, neg_id in best]

    def _candidate(self, pm: PostMortem, w: Weights, pid: int, s: int) -> Candidate:
        return Candidate(pid, s / 1000, self.explain(pm, self.records[self.position[pid]], w))

    def rank_exhaustive(self, pm: PostMortem, limit: int = 20) -> list[Candidate]:
        """Every person explained field by field and the best ``limit`` kept: what :meth:`rank`
        must give (slow: for tests)."""
        w = self.weights(pm)
        scored = []
        for am in self.records:
            evidence = self.explain(pm, am, w)
            if evidence[0].level == "excludes":
                continue
            scored.append((-score_ms(evidence), am.id))
        scored.sort()
        return [self._candidate(pm, w, pid, -neg) for neg, pid in scored[:limit]]


def score(evidence: Iterable[Evidence]) -> float:
    return sum(e.weight for e in evidence)


def score_ms(evidence: Iterable[Evidence]) -> int:
    """The score in thousandths of a bit, as the index adds it."""
    return sum(round(1000 * e.weight) for e in evidence)


def explain(pm: PostMortem, am: AnteMortem, register: Iterable[AnteMortem] | None = None) -> tuple[Evidence, ...]:
    """The evidence of one pair, with the shares counted in ``register`` (by default the person
    alone: then every share is one's own, and the weights say only what agrees)."""
    records = list(register) if register is not None else []
    if am.id not in {r.id for r in records}:
        records.append(am)
    index = Index(records)
    return index.explain(pm, index.records[index.position[am.id]] if am.id in index.position else am)


def rank(pm: PostMortem, records: Iterable[AnteMortem], limit: int = 20) -> list[Candidate]:
    """Rank ``records`` for ``pm`` without keeping an index (one remains, a small register)."""
    return Index(records).rank(pm, limit)
