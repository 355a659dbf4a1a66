"""What a rule may say: the facts and their values, the operators, the limits on size, and the
plain results (errors, leaf outcomes, evaluations) that validation and evaluation return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# fact name -> allowed values (None: any non-empty string, e.g. reference codes) or "bool"
FIELDS: dict[str, frozenset[str] | str | None] = {
    "side": frozenset({"ours", "enemy"}),
    "kind": frozenset({"servicemember", "civilian"}),
    "sex": frozenset({"male", "female", "unknown"}),
    "rank_category": frozenset({"private", "nco", "officer"}),
    "medical_category": frozenset({"none", "wounded", "seriously_wounded", "seriously_ill"}),
    "status": frozenset({"missing", "captivity_confirmed", "on_exchange_list", "returned", "released_other",
                         "found", "deceased", "held", "exchanged", "released"}),
    "branch": None,
    "direction": None,
    "operation": None,
    "was_missing": "bool",
}
NUMERIC_VALUES = ("age_on", "captivity_days_on", "captivity_years_on")
VALUE_KINDS = ("field", *NUMERIC_VALUES)

ALIASES = {"!=": "≠", "<=": "≤", ">=": "≥", "==": "="}
COMPARISONS = ("=", "≠", "<", "≤", ">", "≥")
OPERATORS = (*COMPARISONS, "in", "not in", "between")
LOGICAL = ("and", "or", "not")
CATEGORICAL_OPS = ("=", "≠", "in", "not in")
BOOL_OPS = ("=", "≠")

MAX_DEPTH = 32
MAX_NODES = 500
MAX_LIST = 1000


@dataclass(frozen=True)
class RuleError:
    """A problem of a rule: ``path`` is the JSON path of the bad node (``$`` is the root,
    ``$.and[1]`` the second operand of the root's ``and``); ``code`` and ``params`` let a user
    interface say it in its own language; ``message`` says it in English."""

    path: str
    code: str
    message: str
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict:
        return {"path": self.path, "code": self.code, "message": self.message, "params": dict(self.params)}


class InvalidRule(ValueError):
    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class LeafOutcome:
    """One comparison of a rule, evaluated for one person.

    ``holds``: True, False or None (unknown value). ``wanted``: the outcome the explanation needs
    from it (False under a ``not``). It is a *reason that held* when ``holds == wanted`` and a
    *reason that failed* otherwise."""

    path: str
    subject: str  # "field" or one of NUMERIC_VALUES
    argument: str  # the field name or the ISO date
    op: str
    operand: Any
    value: Any
    holds: bool | None
    wanted: bool = True
    near: bool = False  # the value is close to the boundary (or unknown): worth a second look

    @property
    def satisfied(self) -> bool:
        return self.holds is self.wanted

    def to_dict(self) -> dict:
        return {"path": self.path, "subject": self.subject, "argument": self.argument, "op": self.op,
                "operand": list(self.operand) if isinstance(self.operand, tuple | list) else self.operand,
                "value": self.value.isoformat() if isinstance(self.value, dt.date) else self.value,
                "holds": self.holds, "wanted": self.wanted, "near": self.near}


@dataclass
class Evaluation:
    """The result of a rule for one person, with its reasons.

    ``value``: True / False / None (unknown). ``eligible``: value is True. ``distance``: the least
    number of comparisons whose outcome must change for the rule to hold (0 when eligible; 1 is
    "just outside"). ``held``: the comparisons that make it hold (when eligible) or that already
    hold on the cheapest way to eligibility (when not). ``failed``: the comparisons on that cheapest
    way that do not hold (exactly ``distance`` of them)."""

    value: bool | None
    distance: int
    held: list[LeafOutcome] = field(default_factory=list)
    failed: list[LeafOutcome] = field(default_factory=list)
    near: bool = False

    @property
    def just_outside(self) -> bool:
        """Not eligible, one comparison away, and that comparison is a near miss (a number
        close to the boundary, an unknown value, a neighbouring medical category)."""
        return self.distance == 1 and self.near

    @property
    def eligible(self) -> bool:
        return self.value is True

    def reasons(self, labels=None) -> list[str]:
        from ..text import describe_leaf

        outcomes = self.held if self.eligible else self.failed
        return [describe_leaf(o, labels) for o in outcomes]

    def to_dict(self, labels=None) -> dict:
        return {"eligible": self.eligible, "value": self.value, "distance": self.distance, "near": self.near,
                "held": [o.to_dict() for o in self.held], "failed": [o.to_dict() for o in self.failed],
                "reasons": self.reasons(labels)}
