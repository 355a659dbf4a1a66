"""Every action code written anywhere in src has a sentence and a label in both languages.

The codes are found the way a reader would find them: every call of ``record()`` and
``record_list_read()`` (the action is the second argument) and every event dict handed to
``record_many()`` (its ``"action"``), read from the source with ``ast``. A name is resolved to its
module's constant; the one f-string (``intake.row_{action}``) is expanded over the actions
its service accepts. A new ``record()`` with a new code fails here until audit/sentences.py
says it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

import homecoming
from homecoming.audit.sentences import ACTIONS, DETAIL_KEYS, GROUPS
from homecoming.intake.services.review import ACTIONS as ROW_ACTIONS

SRC = Path(homecoming.__file__).parent
WRITERS = {"record", "record_list_read"}
# Helpers that write the audit event with the action their caller names (by keyword ``action=``,
# or at the position given): their callers' codes count, the helper's own
# ``record(actor, action, ...)`` is not a code.
FORWARDERS = {"save_with_history": None, "_log_identification": 2}


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _codes_of(node: ast.expr, constants: dict[str, str], where: str) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.JoinedStr) and ast.unparse(node) == "f'intake.row_{action}'":
        return [f"intake.row_{a}" for a in ROW_ACTIONS]
    raise AssertionError(f"{where}: an action the test cannot read ({ast.unparse(node)}); name a constant")


def codes_in_src() -> dict[str, str]:
    """{action code: where it is first written}"""
    codes: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path.parts[-2] == "audit" and path.name == "services.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        inside_forwarders = {id(n) for f in ast.walk(tree)
                             if isinstance(f, ast.FunctionDef) and f.name in FORWARDERS for n in ast.walk(f)}
        for node in ast.walk(tree):
            if id(node) in inside_forwarders:
                continue
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in WRITERS and len(node.args) >= 2:
                    for code in _codes_of(node.args[1], constants, where):
                        codes.setdefault(code, where)
                if name in FORWARDERS:
                    position = FORWARDERS[name]
                    given = [k.value for k in node.keywords if k.arg == "action"]
                    if position is not None and len(node.args) > position:
                        given.append(node.args[position])
                    for value in given:
                        for code in _codes_of(value, constants, where):
                            codes.setdefault(code, where)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "action" and \
                            any(isinstance(k, ast.Constant) and k.value == "object_type" for k in node.keys):
                        for code in _codes_of(value, constants, where):
                            codes.setdefault(code, where)
    return codes


CODES = codes_in_src()


def test_the_walk_finds_the_writers():
    assert len(CODES) > 100
    assert {"person.update", "intake.row_accept", "case.open", "registry.demo_data", "audit.verify"} <= set(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_action_written_has_a_sentence_in_both_languages(code):
    action = ACTIONS.get(code)
    assert action is not None, f"{CODES[code]}: {code!r} has no sentence in homecoming/audit/sentences.py"
    assert action.group in GROUPS
    with translation.override("en"):
        english = (str(action.label), str(action.sentence))
    with translation.override("uk"):
        ukrainian = (str(action.label), str(action.sentence))
    assert "%(who)s" in english[1] or "%(object)s" in english[1]
    for en, uk in zip(english, ukrainian, strict=True):
        assert en != uk, f"{code}: {en!r} is not translated"
        for placeholder in ("%(who)s", "%(object)s", "%(fields)s"):
            assert (placeholder in en) == (placeholder in uk), f"{code}: {placeholder} in one language only"


def test_no_sentence_is_left_for_an_action_nobody_writes():
    assert sorted(set(ACTIONS) - set(CODES)) == []


def test_every_name_of_a_detail_is_translated():
    with translation.override("uk"):
        same = [key for key, label in DETAIL_KEYS.items() if str(label) == key.replace("_", " ")
                and key not in {"sha256"}]
    assert same == []


def detail_keys_in_src() -> dict[str, str]:
    """{detail key: where} for every literal ``details={...}`` handed to an audit writer."""
    keys: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in WRITERS | set(FORWARDERS):
                continue
            for keyword in node.keywords:
                if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                    for key in keyword.value.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            keys.setdefault(key.value, f"{path.relative_to(SRC)}:{node.lineno}")
    return keys


def test_every_detail_written_has_a_name_in_the_viewer():
    """A detail without a name shows its program key (an English word) on a Ukrainian page."""
    keys = detail_keys_in_src()
    assert {"person", "fields", "reason"} <= set(keys)
    unnamed = {key: where for key, where in keys.items() if key not in DETAIL_KEYS}
    assert unnamed == {}, "name these in homecoming/audit/sentences.py DETAIL_KEYS"
