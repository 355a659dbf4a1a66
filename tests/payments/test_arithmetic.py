"""The payment arithmetic against hand-computed cases (the computation is in each comment)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from homecoming.payments import arithmetic as a

RULES = [a.Rules(dt.date(2014, 2, 20), D("100000"), D("100000"), a.PRO_RATA_DAYS, key="r1")]
PAY = [a.Pay(dt.date(2014, 1, 1), D("20000"), key="p1")]


def lines(comp, kind):
    return [line for line in comp.lines if line.kind == kind]


def test_module_is_pure():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(a))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    assert not any(m and m.startswith("django") for m in modules)


def test_part_months_and_pro_rata_year_and_family_deduction():
    comp = a.compute(capture_date=dt.date(2022, 4, 15), return_date=dt.date(2024, 5, 31), rules=RULES, pay=PAY,
                     family_paid=[a.FamilyPaid(dt.date(2023, 1, 10), D("50000"))])
    # 15 Apr 2022 .. 30 May 2024 inclusive: 777 days; two whole years (to 15 Apr 2024) + 46 days
    assert comp.days == 777 and comp.whole_years == 2
    per_year = lines(comp, a.PER_YEAR)
    # year 2 (15 Apr 2023 .. 14 Apr 2024) holds 29 Feb 2024: 366 days, still one whole year
    assert [(x.days, x.amount) for x in per_year[:2]] == [(365, D("100000.00")), (366, D("100000.00"))]
    # started year: 46 days of the 365-day year 15 Apr 2024 .. 14 Apr 2025: 100000 * 46 / 365 = 12602.7397 -> 12602.74
    assert (per_year[2].days, per_year[2].denominator, per_year[2].amount) == (46, 365, D("12602.74"))
    allowance = lines(comp, a.ALLOWANCE)
    # April 2022: 16 of 30 days: 20000 * 16 / 30 = 10666.666.. -> 10666.67
    assert (allowance[0].days, allowance[0].amount) == (16, D("10666.67"))
    # February 2024 (leap) is whole: 29 of 29 days
    feb = next(x for x in allowance if x.period_start == dt.date(2024, 2, 1))
    assert (feb.days, feb.denominator, feb.amount) == (29, 1, D("20000"))
    # May 2024: 1..30 May, 30 of 31 days: 20000 * 30 / 31 = 19354.838.. -> 19354.84
    assert (allowance[-1].days, allowance[-1].amount) == (30, D("19354.84"))
    assert len(allowance) == 26  # Apr 2022 .. May 2024
    # total: 100000 + 200000 + 12602.74 + 10666.67 + 24 * 20000 + 19354.84 - 50000 = 772624.25
    assert comp.total == D("772624.25")
    assert comp.total == sum(x.amount for x in comp.lines)


@pytest.mark.parametrize("part_year, expected", [
    # 10 Mar 2023 .. 9 Jun 2024: one whole year to 10 Mar 2024, then 92 days (10 Mar .. 9 Jun 2024) of a
    # 365-day year (10 Mar 2024 .. 9 Mar 2025)
    (a.WHOLE_YEARS, D("0.00")),
    (a.PRO_RATA_DAYS, D("25205.48")),  # 100000 * 92 / 365 = 25205.479.. -> 25205.48
    (a.STARTED_YEAR_COUNTS, D("100000.00")),
])
def test_part_year_rules(part_year, expected):
    rules = [a.Rules(dt.date(2014, 2, 20), D("100000"), D("100000"), part_year)]
    comp = a.compute(capture_date=dt.date(2023, 3, 10), return_date=dt.date(2024, 6, 10), rules=rules, pay=PAY)
    per_year = lines(comp, a.PER_YEAR)
    assert per_year[0].amount == D("100000.00")
    assert per_year[1].days == 92
    assert per_year[1].amount == expected


def test_capture_on_29_february_leap_anniversary():
    # captured 29 Feb 2020; the first anniversary is 1 Mar 2021 (no 29 Feb in 2021): returned 28 Feb 2021
    # is 365 days (29 Feb 2020 .. 27 Feb 2021 = 365 days), still NOT a whole year (the year has 366 days)
    comp = a.compute(capture_date=dt.date(2020, 2, 29), return_date=dt.date(2021, 2, 28), rules=RULES, pay=PAY)
    assert comp.whole_years == 0 and comp.days == 365
    (year,) = lines(comp, a.PER_YEAR)
    # 100000 * 365 / 366 = 99726.775.. -> 99726.78
    assert (year.denominator, year.amount) == (366, D("99726.78"))
    # February 2020: 29 Feb only, 1 of 29 days: 20000 / 29 = 689.655.. -> 689.66
    assert lines(comp, a.ALLOWANCE)[0].amount == D("689.66")
    comp = a.compute(capture_date=dt.date(2020, 2, 29), return_date=dt.date(2021, 3, 1), rules=RULES, pay=PAY)
    assert comp.whole_years == 1 and len(lines(comp, a.PER_YEAR)) == 1


def test_capture_known_only_to_the_month_uses_the_first_day():
    comp = a.compute(capture_date=dt.date(2023, 7, 19), capture_precision=a.PRECISION_MONTH,
                     return_date=dt.date(2023, 9, 16), rules=RULES, pay=PAY)
    assert comp.capture_date == dt.date(2023, 7, 1) and comp.recorded_capture_date == dt.date(2023, 7, 19)
    # 1 Jul .. 15 Sep 2023: 31 + 31 + 15 = 77 days
    assert comp.days == 77
    allowance = lines(comp, a.ALLOWANCE)
    # July and August whole (2 * 20000), September 15 of 30 days: 10000.00
    assert [x.amount for x in allowance] == [D("20000"), D("20000"), D("10000.00")]
    # 77 days of a 366-day year (1 Jul 2023 .. 30 Jun 2024 holds 29 Feb): 100000 * 77 / 366 = 21038.251.. -> 21038.25
    assert lines(comp, a.PER_YEAR)[0].amount == D("21038.25")
    assert a.capture_start(dt.date(2023, 7, 19), a.PRECISION_YEAR) == dt.date(2023, 1, 1)


def test_rules_changing_during_the_captivity():
    rules = [
        a.Rules(dt.date(2014, 2, 20), D("100000"), D("100000"), a.PRO_RATA_DAYS, key="old"),
        a.Rules(dt.date(2024, 1, 1), D("150000"), D("120000"), a.WHOLE_YEARS, key="new"),
    ]
    comp = a.compute(capture_date=dt.date(2023, 7, 1), return_date=dt.date(2024, 9, 1), rules=rules, pay=PAY)
    one_time = lines(comp, a.ONE_TIME)[0]
    assert (one_time.amount, one_time.rule_key) == (D("150000.00"), "new")  # in force on the return date
    per_year = lines(comp, a.PER_YEAR)
    # year 1 (1 Jul 2023 .. 30 Jun 2024, 366 days) splits at 1 Jan 2024:
    # 184 days (Jul..Dec 2023) at 100000: 100000 * 184 / 366 = 50273.224.. -> 50273.22
    # 182 days (Jan..Jun 2024) at 120000: 120000 * 182 / 366 = 59672.131.. -> 59672.13
    assert [(x.rule_key, x.days, x.amount) for x in per_year[:2]] == [
        ("old", 184, D("50273.22")), ("new", 182, D("59672.13"))]
    # the started year (62 days) counts by the rule in force on the return date: whole years only -> 0
    assert (per_year[2].days, per_year[2].amount, per_year[2].note) == (62, D("0.00"), "part_year_whole")


def test_pay_change_inside_a_month_splits_the_month():
    pay = [a.Pay(dt.date(2014, 1, 1), D("20000")), a.Pay(dt.date(2023, 3, 11), D("31000"))]
    comp = a.compute(capture_date=dt.date(2023, 3, 1), return_date=dt.date(2023, 4, 1), rules=RULES, pay=pay)
    # March 2023: 10 days at 20000 (6451.6129 -> 6451.61) and 21 days at 31000 (21000.00)
    assert [(x.days, x.amount) for x in lines(comp, a.ALLOWANCE)] == [(10, D("6451.61")), (21, D("21000.00"))]


def test_rounding_is_once_per_line_half_up():
    assert a.round_kopiyka(D("0.005")) == D("0.01")
    assert a.round_kopiyka(D("2.675")) == D("2.68")  # Decimal is exact: no binary float surprise
    pay = [a.Pay(dt.date(2014, 1, 1), D("0.03"))]
    # 1 day of 2 Jan 2023 in a 31-day month: 0.03 / 31 = 0.00096.. -> 0.00 (not carried over)
    comp = a.compute(capture_date=dt.date(2023, 1, 2), return_date=dt.date(2023, 1, 3), rules=RULES, pay=pay)
    assert lines(comp, a.ALLOWANCE)[0].amount == D("0.00")


@pytest.mark.parametrize("kwargs, code, field", [
    ({"capture_date": None}, "no_capture", "capture_date"),
    ({"return_date": None}, "no_return", "return_date"),
    ({"return_date": dt.date(2022, 1, 1)}, "order", "return_date"),
    ({"rules": [a.Rules(dt.date(2023, 1, 1), D("1"), D("1"), a.WHOLE_YEARS)]}, "no_rules", "rules"),
    ({"pay": [a.Pay(dt.date(2022, 6, 2), D("1"))]}, "no_pay", "pay"),
    ({"pay": [a.Pay(dt.date(2014, 1, 1), 100.5)]}, "money", "monthly_amount"),
    ({"capture_precision": "week"}, "precision", "capture_precision"),
])
def test_bad_input_is_named(kwargs, code, field):
    args = {"capture_date": dt.date(2022, 6, 1), "return_date": dt.date(2023, 6, 1), "rules": RULES, "pay": PAY,
            **kwargs}
    with pytest.raises(a.ArithmeticError_) as err:
        a.compute(**args)
    assert (err.value.code, err.value.field) == (code, field)
