"""Whether a missing person's reference samples suffice for kinship testing, and what to ask the
family for when they do not. Pure Python: no Django import (relationships are plain strings, the
values of ``models.Relationship``).

The rule (ICRC, *Missing People, DNA Analysis and Identification of Human Remains*, 2nd ed.,
2009, on the choice of reference samples; ICMP's practice in the Western Balkans): a kinship
test compares the remains' profile with relatives' profiles, and it is reliable only when the
relatives together carry both halves of the missing person's genome:

* **both parents** (the best reference: every allele of the person comes from one of them); or
* **a child and the child's other parent** (the other parent's alleles are subtracted from the
  child's, leaving the half the child inherited from the missing person); or
* **several full siblings**: at least :data:`SIBLINGS_NEEDED` (one sibling shares on average
  half the genome and gives too weak a likelihood ratio alone).

One parent alone, a child alone, half-siblings and other relatives do not suffice on their own;
they help together with the above. Only usable samples count: consent given and not withdrawn,
and not failed at the laboratory (the caller passes the usable ones).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

FATHER, MOTHER, CHILD, OTHER_PARENT, FULL_SIBLING = "father", "mother", "child", "other_parent", "full_sibling"
#: full siblings needed when neither parents nor a child with the other parent are available
SIBLINGS_NEEDED = 2


class Sufficiency(NamedTuple):
    enough: bool
    #: which combination suffices ("both_parents", "child_and_other_parent", "siblings"), or ""
    rule: str
    #: the relationships to ask the family for, each a way to reach a sufficient set (cheapest
    #: first); empty when enough
    ask_for: tuple[tuple[str, ...], ...]


def sufficiency(relationships: Iterable[str]) -> Sufficiency:
    """Do the usable references (``relationships`` of their donors, one per sample; repeats
    count: two full siblings are two samples) suffice, and what is missing otherwise."""
    have = Counter(relationships)
    if have[FATHER] and have[MOTHER]:
        return Sufficiency(True, "both_parents", ())
    if have[CHILD] and have[OTHER_PARENT]:
        return Sufficiency(True, "child_and_other_parent", ())
    if have[FULL_SIBLING] >= SIBLINGS_NEEDED:
        return Sufficiency(True, "siblings", ())
    options: list[tuple[str, ...]] = []
    parents = tuple(p for p in (FATHER, MOTHER) if not have[p])
    options.append(parents)
    if have[CHILD]:
        options.append((OTHER_PARENT,))
    elif have[OTHER_PARENT]:
        options.append((CHILD,))
    else:
        options.append((CHILD, OTHER_PARENT))
    options.append((FULL_SIBLING,) * (SIBLINGS_NEEDED - have[FULL_SIBLING]))
    options.sort(key=len)
    return Sufficiency(False, "", tuple(options))
