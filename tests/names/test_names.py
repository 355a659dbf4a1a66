"""homecoming.names: normalisation, transliteration, equivalence, keys, parsing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.names import (
    detect_script,
    equivalents,
    fix_homoglyphs,
    initial_classes,
    normalize,
    normalize_key,
    parse_full_name,
    search_keys,
    skeleton,
    transliterate,
    variants,
)
from homecoming.names.cli import main as names_main

# Every example of the KMU 2010 table (Cabinet of Ministers resolution No. 55, 27.01.2010).
KMU_EXAMPLES = [
    ("Алушта", "Alushta"), ("Андрій", "Andrii"), ("Борщагівка", "Borshchahivka"), ("Борисенко", "Borysenko"),
    ("Вінниця", "Vinnytsia"), ("Володимир", "Volodymyr"), ("Гадяч", "Hadiach"), ("Богдан", "Bohdan"),
    ("Згурський", "Zghurskyi"), ("Ґалаґан", "Galagan"), ("Ґорґани", "Gorgany"), ("Донецьк", "Donetsk"),
    ("Дмитро", "Dmytro"), ("Рівне", "Rivne"), ("Олег", "Oleh"), ("Есмань", "Esman"),
    ("Єнакієве", "Yenakiieve"), ("Гаєвич", "Haievych"), ("Короп'є", "Koropie"), ("Житомир", "Zhytomyr"),
    ("Жанна", "Zhanna"), ("Жежелів", "Zhezheliv"), ("Закарпаття", "Zakarpattia"), ("Казимирчук", "Kazymyrchuk"),
    ("Медвин", "Medvyn"), ("Михайленко", "Mykhailenko"), ("Іванків", "Ivankiv"), ("Іващенко", "Ivashchenko"),
    ("Їжакевич", "Yizhakevych"), ("Кадиївка", "Kadyivka"), ("Мар'їне", "Marine"), ("Йосипівка", "Yosypivka"),
    ("Стрий", "Stryi"), ("Олексій", "Oleksii"), ("Київ", "Kyiv"), ("Коваленко", "Kovalenko"),
    ("Лебедин", "Lebedyn"), ("Леонід", "Leonid"), ("Миколаїв", "Mykolaiv"), ("Маринич", "Marynych"),
    ("Ніжин", "Nizhyn"), ("Наталія", "Nataliia"), ("Одеса", "Odesa"), ("Онищенко", "Onyshchenko"),
    ("Полтава", "Poltava"), ("Петро", "Petro"), ("Решетилівка", "Reshetylivka"), ("Рибчинський", "Rybchynskyi"),
    ("Суми", "Sumy"), ("Соломія", "Solomiia"), ("Тернопіль", "Ternopil"), ("Троць", "Trots"),
    ("Ужгород", "Uzhhorod"), ("Уляна", "Uliana"), ("Фастів", "Fastiv"), ("Філіпчук", "Filipchuk"),
    ("Харків", "Kharkiv"), ("Христина", "Khrystyna"), ("Біла Церква", "Bila Tserkva"), ("Стеценко", "Stetsenko"),
    ("Чернівці", "Chernivtsi"), ("Шевченко", "Shevchenko"), ("Шостка", "Shostka"), ("Кишеньки", "Kyshenky"),
    ("Щербухи", "Shcherbukhy"), ("Гоща", "Hoshcha"), ("Гаращенко", "Harashchenko"), ("Юрій", "Yurii"),
    ("Корюківка", "Koriukivka"), ("Яготин", "Yahotyn"), ("Ярошенко", "Yaroshenko"), ("Костянтин", "Kostiantyn"),
    ("Знам'янка", "Znamianka"), ("Феодосія", "Feodosiia"),
    # examples quoted in the issue
    ("Згорани", "Zghorany"), ("Розгон", "Rozghon"), ("Дон", "Don"), ("Наєнко", "Naienko"),
    ("Кадіївка", "Kadiivka"), ("Тетерів", "Teteriv"), ("Ромни", "Romny"), ("Крюківка", "Kriukivka"),
    ("Ічня", "Ichnia"),
]
APOSTROPHES = ["'", "\u2019", "\u02bc"]


@pytest.mark.parametrize("cyr,lat", KMU_EXAMPLES)
@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_kmu2010_official_examples(cyr, lat, apostrophe):
    assert transliterate(cyr.replace("'", apostrophe), "kmu2010") == lat


def test_kmu2010_all_capitals_keeps_digraphs():
    assert transliterate("ЗГОРАНИ") == "ZGHORANY"
    assert transliterate("ЩЕРБУХИ") == "SHCHERBUKHY"


@pytest.mark.parametrize("std,expected", [
    ("icao", "Aleksandr Nikolaevich Petrenko"),
    ("gost", "Aleksandr Nikolaevich Petrenko"),
    ("bgn", "Aleksandr Nikolayevich Petrenko"),
    ("simple", "Aleksandr Nikolaevich Petrenko"),
])
def test_russian_standards(std, expected):
    assert transliterate("Александр Николаевич Петренко", std) == expected


def test_passport1997_soft_sign():
    assert transliterate("Юрьевич", "passport1997") == "Yur'yevich"


def test_bgn_ye_after_vowel_and_at_start():
    assert transliterate("Ельцов Андреевич", "bgn") == "Yel\u02b9tsov Andreyevich"


def test_unknown_standard_is_an_error():
    with pytest.raises(ValueError, match="unknown standard"):
        transliterate("Київ", "klingon")


@pytest.mark.parametrize("mixed,fixed", [
    ("Пeтрeнкo", "Петренко"),  # Latin e, o inside a Cyrillic word
    ("Реtrenko", "Petrenko"),  # Cyrillic Р, е inside a Latin word
    ("КОВАЛЕНКO", "КОВАЛЕНКО"),
])
def test_homoglyphs(mixed, fixed):
    assert fix_homoglyphs(mixed) == fixed
    assert normalize(mixed) == fixed


@pytest.mark.parametrize("raw,norm", [
    ("  Лук\u2019яненко ", "Лук'яненко"),
    ("Лук\u02bcяненко", "Лук'яненко"),
    ("Петренко  -  Коваль", "Петренко-Коваль"),
    ("Петренко\u2013Коваль", "Петренко-Коваль"),
    ("Олександр\u00a0\u00a0Петренко", "Олександр Петренко"),
])
def test_normalize_apostrophes_hyphens_spaces(raw, norm):
    assert normalize(raw) == norm


@pytest.mark.parametrize("text,script", [
    ("Андрій Миколайович", "uk"), ("Фёдор Ильич Подъячев", "ru"), ("Петренко", "cyrillic"),
    ("Petrenko", "latin"), ("Petrenko Иван", "mixed"), ("1990", "none"), ("Пeтрeнкo", "cyrillic"),
])
def test_detect_script(text, script):
    assert detect_script(text) == script


# -- properties ----------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(s):
    once = normalize(s)
    assert normalize(once) == once
    assert normalize_key(normalize_key(s)) == normalize_key(s)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_crash_on_any_unicode(s):
    detect_script(s)
    for std in ("kmu2010", "icao", "bgn", "gost"):
        assert isinstance(transliterate(s, std), str)
    assert isinstance(search_keys(s), frozenset)
    assert isinstance(skeleton(s), str)
    parse_full_name(s)
    variants(s) if normalize(s) else None


cyr_word = st.text(alphabet="абвгґдеєжзиіїйклмнопрстуфхцчшщьюя", min_size=2, max_size=12)


@settings(max_examples=200, deadline=None)
@given(cyr_word)
def test_transliteration_is_case_consistent_and_latin(w):
    title = w.capitalize()
    out = transliterate(title)
    assert out.isascii()
    assert transliterate(title.lower()) == out.lower()


@settings(max_examples=200, deadline=None)
@given(cyr_word)
def test_search_keys_survive_transliteration_and_case(w):
    """A Ukrainian token and its KMU/ICAO transliterations share a key (round trip
    through script), and case or homoglyphs never change the keys."""
    keys = search_keys(w)
    if not keys:
        return
    assert keys & search_keys(transliterate(w, "kmu2010"))
    assert search_keys(w.upper()) == keys


# -- search keys ---------------------------------------------------------------------
@pytest.mark.parametrize("group", [
    ["Олександр", "Александр", "Oleksandr", "Aleksandr", "Alexander", "OLEKSANDR", "Oлександр"],
    ["Петренко", "Petrenko", "PETRENKO", "Пeтрeнкo"],
    ["Миколайович", "Николаевич", "Mykolaiovych", "Nikolaevich"],
    ["Андрій", "Андрей", "Andrii", "Andrey", "Andriy"],
    ["Юрій", "Юрий", "Yurii", "Iurii", "Jurij"],
    ["Сергій", "Сергей", "Serhii", "Sergey"],
    ["Михайло", "Михаил", "Mykhailo", "Mikhail"],
    ["Лук'яненко", "Лукьяненко", "Lukianenko", "Lukyanenko"],
])
def test_search_keys_group_spellings(group):
    for a in group:
        for b in group:
            assert search_keys(a) & search_keys(b), (a, b)


@pytest.mark.parametrize("a,b", [
    ("Олег", "Ольга"), ("Петренко", "Петрук"), ("Коваленко", "Ковальчук"), ("Іван", "Ігор"),
    ("Шевченко", "Шевчук"), ("Andrii", "Oleksandr"), ("Мельник", "Мельничук"),
])
def test_search_keys_separate_unrelated_names(a, b):
    assert not (search_keys(a) & search_keys(b))


def test_initial_classes_across_languages():
    assert initial_classes("О") & initial_classes("Александр", "first")
    assert initial_classes("Н") & initial_classes("Миколайович", "patronymic")
    assert not (initial_classes("П") & initial_classes("Олександр", "first"))


def test_equivalents_both_directions():
    assert "александр" in equivalents("Олександр", "first")
    assert "миколайович" in equivalents("Николаевич", "patronymic")
    assert "ильич" in equivalents("Ілліч", "patronymic")  # added where the dictionary lacks it


# -- parsing -------------------------------------------------------------------------
@pytest.mark.parametrize("text,last,first,pat", [
    ("Петренко Олександр Миколайович", "Петренко", "Олександр", "Миколайович"),
    ("Олександр Миколайович Петренко", "Петренко", "Олександр", "Миколайович"),
    ("PETRENKO ALEKSANDR NIKOLAEVICH", "PETRENKO", "ALEKSANDR", "NIKOLAEVICH"),
    ("Aleksandr Nikolaevich Petrenko", "Petrenko", "Aleksandr", "Nikolaevich"),
    ("Oleksandr Petrenko", "Petrenko", "Oleksandr", ""),
    ("Petrenko Oleksandr", "Petrenko", "Oleksandr", ""),
    ("Петренко Олександр", "Петренко", "Олександр", ""),
    ("Олександр Петренко", "Петренко", "Олександр", ""),
    ("Петренко О.М.", "Петренко", "О", "М"),
    ("О. М. Петренко", "Петренко", "О", "М"),
    ("О.М.Петренко", "Петренко", "О", "М"),
    ("Петренко Олександр М.", "Петренко", "Олександр", "М"),
    ("Дмитро Томашевич", "Томашевич", "Дмитро", ""),  # surname with a patronymic ending
    ("Богдан Іванович Данилович", "Данилович", "Богдан", "Іванович"),
    ("Данилович Богдан Іванович", "Данилович", "Богдан", "Іванович"),
])
def test_parse_full_name(text, last, first, pat):
    p = parse_full_name(text)
    assert (p.last_name, p.first_name, p.patronymic) == (last, first, pat)


def test_parse_marks_initials():
    p = parse_full_name("Петренко О.М.")
    assert p.first_initial and p.patronymic_initial
    assert not parse_full_name("Петренко Олександр").first_initial


# -- variants and CLI ----------------------------------------------------------------
def test_variants_cover_scripts_and_standards():
    v = variants("Петренко Олександр Миколайович")
    assert "Petrenko Oleksandr Mykolaiovych" in v
    assert "Петренко Александр Николаевич" in v
    assert "Petrenko Aleksandr Nikolaevich" in v


def test_cli_translit(capsys):
    assert names_main(["translit", "Біла", "Церква"]) == 0
    assert capsys.readouterr().out.strip() == "Bila Tserkva"
    assert names_main(["translit", "--standard", "icao", "Щербаков"]) == 0
    assert capsys.readouterr().out.strip() == "Shcherbakov"


def test_cli_variants(capsys):
    assert names_main(["variants", "Андрій"]) == 0
    out = capsys.readouterr().out.split("\n")
    assert "Andrii" in out and "Андрей" in out


def test_cli_bad_usage_exits_2(capsys):
    assert names_main(["translit", "--standard", "nope", "Київ"]) == 2
    assert "invalid choice" in capsys.readouterr().err
