"""The ceiling of the synthetic set: how often the generator's own likelihood puts the true person
among the first 20, for remains without a document.

``python -m bench.remains.oracle [--persons 60000] [--remains 1000] [--sample 150] [--seed 20]``

The same persons, remains and seed as ``python -m bench.remains``; each person is scored by the
probability that the generator (bench/remains/__main__.py) gives these post-mortem data when the
remains are that person's, from what the register knows of them (their ante-mortem record, not
their hidden true height or hair). No ranking can do better on average than ranking by this
likelihood: if it puts the true person in the first 20 for X% of remains, the 90% target is out
of reach of any ranking on this set. Two things the generator does that no real set does are not
used: a dental status recorded on the body only when the family gave one, and a hair colour on
the body drawn from the family's "unknown". Slow (every remains against every person): run on a
sample.
"""

from __future__ import annotations

import argparse
import math
import sys

from bench.remains.__main__ import HAIR, LOCATIONS, MIRROR, PLACES, TRANSFER, synthetic_set
from homecoming.remains.candidates import Index

LOG0 = float("-inf")
HAIR_P = {h: HAIR.count(h) / len(HAIR) for h in HAIR}


def _normal_pdf(x: float, mu: float, sd: float) -> float:
    return math.exp(-((x - mu) ** 2) / (2 * sd * sd)) / (sd * math.sqrt(2 * math.pi))


def _log(p: float) -> float:
    return math.log(p) if p > 0 else LOG0


def likelihood(pm, am) -> float:
    """log P(post-mortem data | the remains are ``am``'s), by the generator's own rules."""
    total = 0.0
    # sex: kept 98%, else unknown
    if pm.sex == "unknown":
        total += _log(0.02)
    elif pm.sex != am.sex:
        return LOG0
    else:
        total += _log(0.98)
    # age: estimate = age at disappearance + N(0, 4), rounded; the range is estimate +-5 (min 16)
    est = pm.age_max - 5
    age = am.date.year - am.birth_year
    total += _log(_normal_pdf(est, age, 4))
    # height: measured = true + N(0, 3), rounded; the range is measured +-4
    measured = pm.height_max - 4
    if am.height_min is None:
        total += _log(_normal_pdf(measured, 176, math.sqrt(49 + 9)))
    elif am.height_max - am.height_min == 4:  # the family gave true +-2
        total += _log(_normal_pdf(measured, am.height_min + 2, 3))
    else:  # rounded to 5 cm: the true height anywhere within +-2
        total += _log(sum(_normal_pdf(measured, am.height_min + d, 3) for d in range(-2, 3)) / 5)
    # hair: unknown 30%; else the true colour 90%, a colour drawn at random 10%
    if pm.hair == "unknown":
        total += _log(0.3)
    else:
        true = {am.hair: 1.0} if am.hair != "unknown" else HAIR_P
        total += _log(0.7 * sum(p * (0.9 * (pm.hair == h) + 0.1 * HAIR_P.get(pm.hair, 0)) for h, p in true.items()))
    # dental: the family's status 50%, else unknown (a status the family did not give: 1 in 4)
    if pm.dental == "unknown":
        total += _log(0.5)
    elif am.dental == "unknown":
        total += _log(0.5 * 0.25)
    else:
        total += _log(0.5 if pm.dental == am.dental else 0.0)
    # marks: each mark recorded 60% (a tenth of those on the other side), a spurious scar 20%
    left = list(pm.marks)
    for kind, loc in am.marks:
        mirrored = MIRROR.get(loc)
        if (kind, loc) in left:
            left.remove((kind, loc))
            total += _log(0.6 * (0.9 if mirrored else 1.0))
        elif mirrored and (kind, mirrored) in left:
            left.remove((kind, mirrored))
            total += _log(0.06)
        else:
            total += _log(0.4)
    if not left:
        total += _log(0.8)
    elif len(left) == 1 and left[0][0] == "scar":
        total += _log(0.2 / len(LOCATIONS))
    else:
        return LOG0
    # place: the person's 60%, another drawn at random 20%, none 20%
    if not pm.place:
        total += _log(0.2)
    else:
        total += _log((0.6 if pm.place == am.place else 0.0) + 0.2 / len(PLACES))
    # date: the transfer's 20%; else 0-90 days after (70%) or 0-730 (30%), at most the transfer's
    days = (pm.date - am.date).days
    to_transfer = (TRANSFER - am.date).days
    clipped = 0.7 * max(0, 90 - to_transfer + 1) / 91 + 0.3 * max(0, 730 - to_transfer + 1) / 731
    if pm.date == TRANSFER:
        total += _log(0.2 + 0.8 * clipped)
    elif 0 <= days <= 90:
        total += _log(0.8 * (0.7 / 91 + 0.3 / 731))
    elif 90 < days <= 730:
        total += _log(0.8 * 0.3 / 731)
    else:
        return LOG0
    return total


def ceiling(n_persons: int, n_remains: int, sample: int, seed: int) -> dict:
    people, truth, documents, remains = synthetic_set(n_persons, n_remains, seed)  # as bench.remains.run
    chosen = [(pm, am) for pm, (am, _h, _x), d in zip(remains, truth, documents, strict=True) if d is None][:sample]
    records = [am for am, _h, _x in people]
    index = Index(records)
    ranked = sum(any(c.person_id == am.id for c in index.rank(pm, 20)) for pm, am in chosen)
    in20 = 0
    for pm, am in chosen:
        mine = likelihood(pm, am)
        above = ties = 0
        for other in records:
            s = likelihood(pm, other)
            if s > mine:
                above += 1
            elif s == mine and other.id != am.id:
                ties += 1
        in20 += above + ties / 2 < 20
    return {"sample": len(chosen), "top20": in20 / max(len(chosen), 1), "ranking": ranked / max(len(chosen), 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=60_000)
    parser.add_argument("--remains", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    r = ceiling(args.persons, args.remains, args.sample, args.seed)
    print(f"ceiling (the generator's own likelihood), seed {args.seed}: the true person in the first 20 for "
          f"{100 * r['top20']:.1f}% of {r['sample']} remains without a document, against {args.persons:,} persons; "
          f"the ranking (homecoming.remains.candidates) for {100 * r['ranking']:.1f}% of the same remains")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
