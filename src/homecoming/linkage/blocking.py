"""Blocking: which register records are worth comparing with a row at all.

A block is a named key (:class:`Block` kind and its parts, a tuple) under which the
index lists the slots of its records; a row looks up the keys it would have and the union
of their slots is its candidates.  Slots are small ints: they hash and compare fast, and a
removed record leaves a hole (``None``) rather than renumbering the rest."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from enum import IntEnum

from .dates import PartialDate
from .records import Prepared, letter_edits, letter_key

__all__ = ["Block", "BlockIndex", "record_keys", "row_keys"]


class Block(IntEnum):
    """Kinds of block keys (an ``IntEnum``: it hashes as fast as an int in a tuple key)."""

    SURNAME_INITIAL = 1  # (surname search key, first name's initial class or "?")
    SURNAME = 2  # (surname search key,): a rare surname alone
    DELETION = 3  # (surname key with one symbol deleted, first name search key)
    FIRST_YEAR = 4  # (first name search key, year of birth)
    FIRST_MONTH = 5  # (first name search key, year, month of birth)
    BIRTH = 6  # (year, month, day): a full date of birth
    SERVICE = 7  # (service number,)
    TAX = 8  # (tax number,)


_SI, _SU, _DEL, _FY, _FM, _BIRTH, _SERVICE, _TAX = Block


def record_keys(p: Prepared) -> set[tuple]:
    """Index keys of a register record under every spelling."""
    out: set[tuple] = set()
    for v in p.variants:
        _spelling_keys(v, out)
    return out


def _spelling_keys(p: Prepared, out: set[tuple]) -> None:
    firsts = p.first.initials or frozenset({"?"})
    for k in p.last.keys:
        for fi in firsts:
            out.add((_SI, k, fi))
        out.add((_SU, k))
        if len(k) >= 2 and not p.first.initial_only:
            for i in range(1, len(k)):
                dk = k[:i] + k[i + 1:]
                for fk in p.first.keys:
                    out.add((_DEL, dk, fk))
    bd = p.birth_date
    if bd is not None and bd.is_full:
        out.add((_BIRTH, bd.year, bd.month, bd.day))
    if bd is not None and bd.month is not None and not p.first.initial_only:
        for fk in p.first.keys:
            out.add((_FM, fk, bd.year, bd.month))
    if bd is not None and not p.first.initial_only:
        for fk in p.first.keys:
            out.add((_FY, fk, bd.year))
    if p.service_number:
        out.add((_SERVICE, p.service_number))
    if p.tax_number:
        out.add((_TAX, p.tax_number))


def row_keys(r: Prepared, blocks: dict[tuple, list[int]], wide: bool, rare: int) -> list[tuple]:
    """The keys a row looks up: last-name key with the first-name initial class; last-name
    keys one typo apart (deletion variants, SymSpell-style) with the first-name key; first
    and last swapped; full date of birth (and with day and month swapped); service and tax
    numbers.  ``wide`` (linking a list) adds a rare surname alone, short surnames one typo
    apart, and the first name with the year (if few share them) or the year and month of
    birth; dedupe does without them (they found no further duplicate pair in its benchmark
    and cost a third more time).  The order is kept: it orders the candidates, and with
    them the sums of floating-point probabilities."""
    keys: list[tuple] = []
    if r.first.key:
        _surname_keys(r, blocks, wide, rare, keys)
    else:
        keys.extend((_SU, k) for k in r.last.keys)
    if not r.first.initial_only and r.last.initials:
        for k in r.first.keys:
            for fi in r.last.initials:
                keys.append((_SI, k, fi))
    d = r.birth_date
    if wide and d is not None and not r.first.initial_only:
        # first name with the year (if few share them) or the year and month of
        # birth: the surname replaced or mistyped beyond one edit
        for fk in r.first.keys:
            fy = (_FY, fk, d.year)
            if len(blocks.get(fy, ())) <= rare:
                keys.append(fy)
            elif d.month is not None:
                keys.append((_FM, fk, d.year, d.month))
    if d is not None and d.is_full:
        keys.append((_BIRTH, d.year, d.month, d.day))
        if d.day <= 12 and d.day != d.month:  # type: ignore[operator]
            s = PartialDate(d.year, d.day, d.month)
            keys.append((_BIRTH, s.year, s.month, s.day))
    if r.service_number:
        keys.append((_SERVICE, r.service_number))
    if r.tax_number:
        keys.append((_TAX, r.tax_number))
    return keys


def _surname_keys(r: Prepared, blocks: dict[tuple, list[int]], wide: bool, rare: int, keys: list[tuple]) -> None:
    firsts = set(r.first.initials) | {"?"}
    for k in r.last.keys:
        for fi in firsts:
            keys.append((_SI, k, fi))
        # a rare surname alone: the first name may be replaced or mistyped at its start
        if wide and len(blocks.get((_SU, k), ())) <= rare:
            keys.append((_SU, k))
        if r.first.initial_only or len(k) < (2 if wide else 3):
            continue
        # one typo in the surname skeleton (first symbol kept): deletion variants
        # on either side, narrowed by the first name's key
        fks = r.first.keys
        for fk in fks:
            keys.append((_DEL, k, fk))
        if len(k) >= (2 if wide else 4):
            for i in range(1, len(k)):
                dk = k[:i] + k[i + 1:]
                for fi in firsts:
                    keys.append((_SI, dk, fi))
                for fk in fks:
                    keys.append((_DEL, dk, fk))


class BlockIndex:
    """The blocks of a register: ``blocks`` (key -> slots), ``letters`` (long surnames by
    their Latin letters -> slots), ``slot`` (record id -> slot) and ``by_slot``."""

    def __init__(self) -> None:
        self.blocks: dict[tuple, list[int]] = defaultdict(list)
        self.letters: dict[str, list[int]] = defaultdict(list)
        self.slot: dict[str, int] = {}
        self.by_slot: list[Prepared | None] = []

    def add(self, p: Prepared) -> None:
        """Give ``p`` the next slot and list it under its keys (its id must be new)."""
        slot = len(self.by_slot)
        self.slot[p.id] = slot
        self.by_slot.append(p)
        blocks = self.blocks
        for k in record_keys(p):
            blocks[k].append(slot)
        for lk in _letter_keys(p):
            self.letters[lk].append(slot)

    def remove(self, p: Prepared) -> None:
        """Take ``p`` out of every block; its slot stays empty."""
        slot = self.slot.pop(p.id)
        self.by_slot[slot] = None
        _unlist(self.blocks, record_keys(p), slot)
        _unlist(self.letters, _letter_keys(p), slot)

    def candidates(self, r: Prepared, rare: int, exclude: str | None = None, wide: bool = True) -> set[int]:
        """Slots of the records blocked with ``r`` under any of its spellings."""
        if not r.alts:
            return self._candidates1(r, rare, exclude, wide)
        out: set[int] = set()
        for v in r.variants:
            out |= self._candidates1(v, rare, exclude, wide)
        return out

    def _candidates1(self, r: Prepared, rare: int, exclude: str | None, wide: bool) -> set[int]:
        blocks = self.blocks
        out: set[int] = set()
        for k in row_keys(r, blocks, wide, rare):
            s = blocks.get(k)
            if s:
                out.update(s)
        if wide and r.first.initials and not r.first.initial_only:
            self._letter_candidates(r, out)
        if exclude is not None:
            out.discard(self.slot.get(exclude, -1))
        return out

    def _letter_candidates(self, r: Prepared, out: set[int]) -> None:
        """A long surname one letter away (a letter inserted, dropped, replaced or two
        transposed: `Bindoxff`, `Herert`, `Goetdze` are two sounds from `Bindoff`,
        `Herbert`, `Goetze`), with the first name's initial class (as the surname key's
        block: `Gillatd Jakd` for `Gillard Jake`)."""
        letters = self.letters
        by_slot = self.by_slot
        for v in letters.keys() & letter_edits(r.last.latin):
            for slot in letters[v]:
                c = by_slot[slot]
                if c is not None and any(not r.first.initials.isdisjoint(x.first.initials) for x in c.variants):
                    out.add(slot)


def _letter_keys(p: Prepared) -> set[str]:
    return {letter_key(v.last.latin) for v in p.variants} - {""}


def _unlist(index: dict, keys, slot: int) -> None:
    for k in keys:
        s = index.get(k)
        if s is not None:
            with contextlib.suppress(ValueError):
                s.remove(slot)
            if not s:
                del index[k]
