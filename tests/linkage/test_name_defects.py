"""The name defects issue 18 lists, each as a list from someone else wrote it.

All people are invented."""

import datetime as dt
import random

import pytest

from homecoming.linkage import LinkageIndex, Record, compare_names, dedupe
from homecoming.linkage.records import name_part
from homecoming.names import normalize, parse_full_name, search_keys


def register(extra):
    rnd = random.Random(5)
    surnames = ["Мельник", "Шевчук", "Бондар", "Ткачук", "Савчук", "Гнатюк", "Рибак", "Лисенко", "Кравець"]
    firsts = ["Олександр", "Андрій", "Сергій", "Іван", "Микола", "Юрій", "Олег", "Дмитро", "Богдан", "Тарас"]
    out = []
    for i in range(800):
        d = dt.date(1970, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 35))
        out.append(Record(f"B{i}", rnd.choice(surnames), rnd.choice(firsts), "Петрович", birth_date=d.isoformat()))
    return LinkageIndex(out + extra)


@pytest.mark.parametrize("initial,name,kind", [
    ("Ю", "Юрій", "first"), ("Я", "Ярослав", "first"), ("Є", "Євген", "first"), ("Ї", "Їжакевич", "last"),
    ("Ц", "Цимбал", "last"), ("Ю.", "Юрійович", "patronymic"), ("Yu.", "Юрій", "first"), ("Ya.", "Ярослав", "first"),
])
def test_an_initial_of_two_sounds_is_an_initial(initial, name, kind):
    assert compare_names(name_part(initial, kind), name_part(name, kind)) == "initial"


@pytest.mark.parametrize("row", ["ЯКОВЕНКО Е.Ю.", "Яковенко Є. Ю."])
def test_a_row_with_such_initials_reaches_its_person(row):
    idx = register([Record("p", "Яковенко", "Євген", "Юрійович", birth_date="1991-04-12")])
    res = idx.link([Record("x", full_name=row, birth_date="12.04.1991")])[0]
    assert res.decision in ("match", "review") and res.candidates[0].registry_id == "p", res.reason
    ex = {f.field: f.level for f in res.candidates[0].explanation}
    assert ex["first_name"] == "initial" and ex["patronymic"] == "initial"


def test_bojko_yu_p_is_not_under_the_floor():
    idx = register([Record("p", "Бойко", "Юрій", "Петрович", birth_date="1983-09-30")])
    res = idx.link([Record("x", full_name="Бойко Ю. П.", birth_date="1983-09-30")])[0]
    assert res.decision != "none" and res.candidates[0].registry_id == "p"


@pytest.mark.parametrize("written,meant", [
    ("Шеbченко", "Шевченко"), ("Лісоbий", "Лісовий"), ("Гнатюk", "Гнатюк"), ("Мельнuк", "Мельник"),
    ("Kpaвчук", "Кравчук"), ("3ахарченко", "захарченко"),
])
def test_lowercase_latin_look_alikes_in_a_cyrillic_word_are_folded(written, meant):
    assert normalize(written).lower() == meant.lower()
    assert compare_names(name_part(written, "last"), name_part(meant, "last")) == "same"


def test_a_latin_word_keeps_its_letters():
    assert normalize("Bondarenko") == "Bondarenko" and normalize("Ruslan") == "Ruslan"


@pytest.mark.parametrize("written,meant", [("Chaplȳnskȳĭ", "Чаплинський"), ("Wołodymyr", "Володимир"),
                                           ("Hryhoriĭ", "Григорій"), ("Zhytomyrsʹkyi", "Житомирський")])
def test_letters_with_diacritics_are_read_as_their_base_letter(written, meant):
    assert search_keys(written) & search_keys(meant)
    assert compare_names(name_part(written, "last"), name_part(meant, "last")) == "same"


@pytest.mark.parametrize("text,last,first,pat", [
    ("Vladislav Ilich Gavrilets", "Gavrilets", "Vladislav", "Ilich"),
    ("RUSLAN IVANOVIFH DANKEVYCH", "DANKEVYCH", "RUSLAN", "IVANOVIFH"),
    ("Dankevych Ruslan Ivanovifh", "Dankevych", "Ruslan", "Ivanovifh"),
    ("Petrenko Yu. M.", "Petrenko", "Yu.", "M"),
])
def test_the_first_name_is_not_taken_for_the_surname(text, last, first, pat):
    p = parse_full_name(text)
    assert (p.last_name, p.first_name, p.patronymic) == (last, first, pat)


def test_lev_and_levko_are_one_name():
    assert compare_names(name_part("Левко", "first"), name_part("Лев", "first")) == "same"
    assert compare_names(name_part("Levko", "first"), name_part("Лев", "first")) == "same"


@pytest.mark.parametrize("a,b,kind", [("Кириленко", "Короленко", "last"), ("Романенко", "Яременко", "last"),
                                      ("Родіон", "Роман", "first"), ("Kyrylenko", "Korolenko", "last")])
def test_names_that_share_consonants_but_not_vowels_differ(a, b, kind):
    assert compare_names(name_part(a, kind), name_part(b, kind)) == "differ"


@pytest.mark.parametrize("a,b,kind", [("Олійник", "Олейник", "last"), ("Федір", "Федор", "first"),
                                      ("Олександр", "Alexander", "first"), ("Лісовий", "Лесовой", "last"),
                                      ("Коваленко", "Ковеленко", "last"), ("Олександр", "Алексанрд", "first")])
def test_vowels_of_ukrainian_russian_and_latin_forms_and_one_typo_still_agree(a, b, kind):
    assert compare_names(name_part(a, kind), name_part(b, kind)) in ("same", "close")


def test_dedupe_does_not_merge_rodion_with_roman():
    recs = [Record("a", "Петренко", "Родіон", "Іванович", birth_date="1990-05-17"),
            Record("b", "Петренко", "Роман", "Іванович", birth_date="1990-05-17"),
            Record("c", "Кириленко", "Іван", "Петрович", birth_date="1985-01-02"),
            Record("d", "Короленко", "Іван", "Петрович", birth_date="1985-01-02")]
    clusters, _ = dedupe(recs)
    assert clusters == []


@pytest.mark.parametrize("text,last,first", [
    ("МорганБогдан Викторович", "Морган", "Богдан"), ("LevkoKulik", "Kulik", "Levko"),
    ("СЕРГЕЙДОВШАН", "ДОВШАН", "СЕРГЕЙ"), ("OLEKSANDRKRASILOVETC", "KRASILOVETC", "OLEKSANDR"),
    ("ХАРИТОИВИТАЛИЙ ИВАНОВИЧ", "ХАРИТОИ", "ВИТАЛИЙ"),
    # one word that is a surname, even one made from a first name, stays one word
    ("Олександренко", "Олександренко", ""), ("Oleksandrenko", "Oleksandrenko", ""), ("Romanenko", "Romanenko", ""),
    ("KOVALENKO", "KOVALENKO", ""), ("Костянтиненко", "Костянтиненко", ""),
    ("Петренко Олександр", "Петренко", "Олександр"),
])
def test_two_words_run_together_are_split_and_one_surname_is_not(text, last, first):
    p = parse_full_name(text)
    assert (p.last_name, p.first_name) == (last, first)
