"""Columns: what each header means (Ukrainian, Russian and English names), and the checks and
conversions of every value, row by row, before anything is written.

The mapping is a list with one field name per column of the file ("" = not imported).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homecoming.common.text import name_problem, text_problem
from homecoming.names import normalize, parse_full_name

# field -> (label, header names in Ukrainian, Russian and English; compared after header_key()).
FIELDS: dict[str, tuple] = {
    "last_name": (gettext_lazy("Last name"), [
        "прізвище", "призвище", "фамилия", "фамілія", "last name", "lastname", "surname", "family name"]),
    "first_name": (gettext_lazy("First name"), [
        "ім'я", "імя", "им'я", "имя", "first name", "firstname", "given name", "given names", "forename"]),
    "patronymic": (gettext_lazy("Patronymic"), [
        "по батькові", "по-батькові", "побатькові", "отчество", "patronymic", "middle name", "father's name",
        "fathers name"]),
    "full_name": (gettext_lazy("Full name (one column)"), [
        "піб", "п і б", "прізвище ім'я по батькові", "прізвище ім'я та по батькові", "фио", "ф и о",
        "фамилия имя отчество", "full name", "fullname", "name", "name and surname", "імя та прізвище"]),
    "birth_date": (gettext_lazy("Date of birth"), [
        "дата народження", "дата нар", "д н", "рік народження", "дата рождения", "дата рожд", "д р",
        "год рождения", "рік", "год", "г р", "р н", "date of birth", "birth date", "birthdate", "dob", "born",
        "year of birth"]),
    "service_number": (gettext_lazy("Service number"), [
        "військовий квиток", "номер військового квитка", "особовий номер", "жетон", "номер жетона",
        "військовий номер", "личный номер", "личный жетон", "военный билет", "номер военного билета",
        "service number", "service no", "serial number", "military id", "personal number"]),
    "tax_number": (gettext_lazy("Tax number"), [
        "рнокпп", "іпн", "ідентифікаційний код", "инн", "идентификационный код", "tax number", "tax id",
        "taxpayer number"]),
    "sex": (gettext_lazy("Sex"), ["стать", "пол", "sex", "gender"]),
    "unit": (gettext_lazy("Unit"), [
        "військова частина", "в ч", "підрозділ", "воинская часть", "в/ч", "часть", "подразделение", "unit",
        "military unit"]),
    "incident_date": (gettext_lazy("Date of disappearance or capture"), [
        "дата зникнення", "дата полону", "дата потрапляння в полон", "дата пленения", "дата пропажи",
        "date of capture", "date missing", "date of disappearance", "capture date"]),
    "incident_place": (gettext_lazy("Place of disappearance or capture"), [
        "місце зникнення", "місце полону", "место пленения", "место пропажи", "place of capture",
        "place of disappearance"]),
    "row_ref": (gettext_lazy("Number in the list"), [
        "№", "n", "no", "nr", "#", "номер", "№ з п", "№ п п", "порядковий номер", "порядковый номер", "id",
        "row", "number"]),
}

NAME_FIELDS = ("last_name", "first_name", "patronymic", "full_name")
PERSON_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "service_number", "tax_number", "sex",
                 "unit", "incident_date", "incident_place")
MAX_LENGTH = {"last_name": 100, "first_name": 100, "patronymic": 100, "full_name": 300, "service_number": 40,
              "tax_number": 10, "unit": 200, "incident_place": 200, "row_ref": 40}
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_INCIDENT = dt.date(2014, 2, 20)

SEX_VALUES = {
    "male": {"ч", "чол", "чоловіча", "чоловік", "м", "муж", "мужской", "мужчина", "m", "male", "man"},
    "female": {"ж", "жін", "жіноча", "жінка", "жен", "женский", "женщина", "f", "female", "woman", "w"},
}

_KEY_DROP = re.compile(r"\(.*?\)|\[.*?\]")
_KEY_CLEAN = re.compile(r"[^\w'#№/ ]+")


def header_key(text: str) -> str:
    """A header as compared: lower case, ё as е, one kind of apostrophe, no brackets or punctuation."""
    t = normalize(text or "").lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'").replace("`", "'")
    t = _KEY_DROP.sub(" ", t)
    t = t.replace(".", " ").replace("_", " ").replace("-", " ").replace(":", " ").replace("/", " ")
    t = _KEY_CLEAN.sub(" ", t)
    return " ".join(t.split())


_LOOKUP: dict[str, str] = {}
for _field, (_label, _names) in FIELDS.items():
    for _name in _names:
        _LOOKUP.setdefault(header_key(_name), _field)
# "по-батькові" loses its hyphen in header_key
_LOOKUP.setdefault("по батькові", "patronymic")


def guess_field(header: str) -> str:
    return _LOOKUP.get(header_key(header), "")


def guess_mapping(headers: list[str]) -> list[str]:
    """One field per column; a field goes to the first column that names it."""
    out, taken = [], set()
    for h in headers:
        f = guess_field(h)
        if f and f not in taken:
            taken.add(f)
            out.append(f)
        else:
            out.append("")
    return out


def header_signature(headers: list[str]) -> str:
    """Identifies a set of headers (order kept): a saved mapping is found again by it."""
    return hashlib.sha256("\x1f".join(header_key(h) for h in headers).encode()).hexdigest()


def field_choices() -> list[tuple[str, str]]:
    return [("", _("— not imported —"))] + [(f, str(label)) for f, (label, _names) in FIELDS.items()]


def mapping_problems(mapping: list[str], kind: str, *, structure_only: bool = False) -> list[str]:
    """What is wrong with a mapping as a whole (messages for a person). ``structure_only``: only
    unknown fields and fields chosen twice (a mapping without names may still be saved)."""
    problems = []
    seen: dict[str, int] = {}
    for i, f in enumerate(mapping):
        if not f:
            continue
        if f not in FIELDS:
            problems.append(_("Column %(n)s: unknown field “%(field)s”.") % {"n": i + 1, "field": f})
        elif f in seen:
            problems.append(_("Columns %(a)s and %(b)s are both mapped to “%(field)s”; choose one.")
                            % {"a": seen[f] + 1, "b": i + 1, "field": FIELDS[f][0]})
        else:
            seen[f] = i
    has = set(seen)
    named = {"last_name", "first_name"} <= has or "full_name" in has or (kind == "list" and "last_name" in has)
    if not structure_only and not named:
        problems.append(_("No name columns: map “Last name” and “First name”, or “Full name (one column)”."))
    return problems


# --- values -------------------------------------------------------------------------------

DATE_EXPECTED = gettext_lazy("a date as DD.MM.YYYY, YYYY-MM-DD or a year (YYYY)")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\s*(?:р\.?|г\.?))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_YEAR = re.compile(r"^(\d{4})(?:\s*(?:р\.?|г\.?|рік|год))?$")


def parse_date(text: str) -> tuple[dt.date | None, str]:
    """(date, precision "day"|"year") from ``DD.MM.YYYY``, ``YYYY-MM-DD`` or ``YYYY``; empty gives
    (None, ""). Raises ValueError (with no message: the caller names what was expected)."""
    s = (text or "").strip()
    if not s:
        return None, ""
    m = _DMY.match(s)
    if m:
        d, mo, y = (int(x) for x in m.groups())
        return dt.date(y, mo, d), "day"
    m = _ISO.match(s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return dt.date(y, mo, d), "day"
    m = _YEAR.match(s)
    if m:
        return dt.date(int(m.group(1)), 1, 1), "year"
    raise ValueError(s)


@dataclass
class RowError:
    row: int
    column: str  # the header as in the file ("" for the whole row)
    value: str
    expected: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value[:200], "expected": self.expected}


@dataclass
class CheckedRow:
    row: int
    data: dict  # field -> value (dates as ISO text) as it will be imported
    raw: dict  # header -> cell, as in the file


@dataclass
class CheckResult:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0


def _headers_unique(headers: list[str]) -> list[str]:
    out, seen = [], {}
    for i, h in enumerate(headers):
        name = h or _("column %(n)s") % {"n": i + 1}
        if name in seen:
            name = f"{name} ({i + 1})"
        seen[name] = i
        out.append(name)
    return out


def check_rows(headers: list[str], rows: list[tuple[int, list[str]]], mapping: list[str], kind: str,
               progress=None) -> CheckResult:
    """Check and convert every row. A row with any error is left out of ``rows`` and counted in
    ``bad_rows``; every error is reported with its row, column and what was expected."""
    today = timezone.localdate()
    names = _headers_unique(headers)
    columns = [(i, f) for i, f in enumerate(mapping) if f]
    width = len(headers)
    res = CheckResult()
    for n, (number, cells) in enumerate(rows, start=1):
        if progress and n % 5000 == 0:
            progress(n)
        errors: list[RowError] = []
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(RowError(number, "", ";".join(cells[width:])[:100],
                                   _("at most %(n)s values, as many as the header has columns (a separator "
                                     "inside a value needs quotes)") % {"n": width}))
        data: dict = {}
        for i, f in columns:
            value = cells[i].strip() if i < len(cells) else ""
            value = " ".join(value.split()) if f not in ("service_number",) else value
            if value:
                wrong = _convert(f, value, today, data)
                if wrong:
                    errors.append(RowError(number, names[i], *wrong))
        errors += _check_row(number, data, columns, names, kind)
        if errors:
            res.errors.extend(errors)
            res.bad_rows += 1
            continue
        raw = {names[i]: (cells[i] if i < len(cells) else "") for i in range(width)}
        res.rows.append(CheckedRow(number, data, raw))
    return res


def _convert(f: str, value: str, today, data: dict) -> tuple[str, str] | None:
    """Put one non-empty cell of field ``f`` into ``data`` (converted); or, when it is wrong, give
    (the value as shown to the person, what was expected)."""
    limit = MAX_LENGTH.get(f)
    if limit and len(value) > limit:
        return value, _("at most %(n)s characters") % {"n": limit}
    problem = name_problem(value) if f in NAME_FIELDS else text_problem(value)
    if problem:  # the validator every path uses (homecoming.common.text)
        return (value.encode("unicode_escape").decode()[:100] if text_problem(value) else value), problem
    if f in ("birth_date", "incident_date"):
        try:
            date, precision = parse_date(value)
        except ValueError:
            return value, str(DATE_EXPECTED)
        if date > today:
            return value, _("a date that is not in the future")
        if f == "birth_date":
            if date < EARLIEST_BIRTH:
                return value, _("a date of birth after 1900")
            data["birth_date_precision"] = precision
        elif date < EARLIEST_INCIDENT:
            return value, _("a date after 20 February 2014")
        data[f] = date.isoformat()
    elif f == "sex":
        key = value.lower().rstrip(".")
        sex = next((s for s, vals in SEX_VALUES.items() if key in vals), None)
        if sex is None:
            return value, _("ч/чол/м (male) or ж/жін (female)")
        data[f] = sex
    elif f == "tax_number":
        if not (value.isascii() and value.isdigit() and len(value) == 10):
            return value, _("a tax number of exactly 10 digits")
        data[f] = value
    else:
        data[f] = value
    return None


def _check_row(number: int, data: dict, columns, names: list[str], kind: str) -> list[RowError]:
    """The checks across the cells of one row: the name (split from a full name where needed) and
    the order of the dates."""
    errors: list[RowError] = []
    if "full_name" in data and not (data.get("last_name") and data.get("first_name")):
        parsed = parse_full_name(data["full_name"])
        for part in ("last_name", "first_name", "patronymic"):
            if not data.get(part) and getattr(parsed, part):
                data[part] = getattr(parsed, part)[:100]
    if kind == "persons":
        if not (data.get("last_name") and data.get("first_name")):
            col = next((names[i] for i, f in columns if f in ("last_name", "first_name", "full_name")
                        and not data.get(f if f != "full_name" else "first_name")), "")
            errors.append(RowError(number, col, data.get("full_name", ""),
                                   _("a last name and a first name (both required)")))
    elif not any(data.get(p) for p in NAME_FIELDS):
        col = next((names[i] for i, f in columns if f in NAME_FIELDS), "")
        errors.append(RowError(number, col, "", _("a name (the row has none)")))
    if "incident_date" in data and "birth_date" in data and data["incident_date"] < data["birth_date"]:
        col = next(names[i] for i, f in columns if f == "incident_date")
        errors.append(RowError(number, col, data["incident_date"], _("a date after the date of birth")))
    return errors


def identity_key(last: str, first: str, patronymic: str, birth_date: str, service_number: str) -> tuple:
    """What makes a register row "already present": name, date of birth and service number."""
    def k(s):
        return " ".join(normalize(s or "").casefold().replace("ё", "е").split())

    return (k(last), k(first), k(patronymic), birth_date or "", re.sub(r"[\s\-./]", "", service_number or "").upper())
