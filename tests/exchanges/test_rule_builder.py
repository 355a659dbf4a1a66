"""The eligibility rule built with forms (issue 19): rows of field / condition / value in groups,
as a plain form without script. A rule built in the forms is saved as exactly the JSON it states,
and the edit page draws a stored rule back into forms that post the same JSON again; a bad value
is shown next to its row in the page's language and nothing is saved."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from homecoming.exchanges import services
from homecoming.exchanges.models import Category

pytestmark = pytest.mark.django_db

NAMES = {"name_uk": "правило", "name_en": "rule", "trade_rule": "all_for_all", "ratio_receive": "1",
         "ratio_hand_over": "1"}

# every operator the engine has, on each kind of subject it fits, and groups (negated too) inside the rule
RULES = [
    {"and": [{"=": [{"field": "sex"}, "male"]}, {"≠": [{"field": "kind"}, "civilian"]},
             {"in": [{"field": "medical_category"}, ["seriously_wounded", "seriously_ill"]]},
             {"not in": [{"field": "status"}, ["deceased", "found"]]}]},
    {"or": [{"<": [{"age_on": "2025-06-09"}, 25]}, {"≤": [{"captivity_days_on": "2025-06-12"}, 30.5]},
            {">": [{"captivity_years_on": "2025-06-12"}, 3]}, {"≥": [{"age_on": "2025-06-02"}, 60]},
            {"=": [{"age_on": "2025-06-02"}, 18]}, {"≠": [{"age_on": "2025-06-02"}, 19]},
            {"between": [{"captivity_years_on": "2025-06-12"}, 1, 2.5]},
            {"in": [{"age_on": "2025-06-02"}, [18, 19, 20]]}, {"not in": [{"age_on": "2025-06-02"}, [21]]}]},
    {"and": [{"=": [{"field": "was_missing"}, True]}, {"≠": [{"field": "was_missing"}, False]},
             {"or": [{"=": [{"field": "branch"}, "navy"]}, {"in": [{"field": "direction"}, ["donetsk"]]}]},
             {"not": {"and": [{"=": [{"field": "operation"}, "mariupol"]}, {"=": [{"field": "side"}, "enemy"]}]}}]},
    {"not": {"or": [{"=": [{"field": "rank_category"}, "officer"]}]}},
    {"and": []},
]


class _Fields(HTMLParser):
    """The values a browser would send for a form of the page (inputs, chosen options, text areas)."""

    def __init__(self):
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox"):
            self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.pairs.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.pairs[-1]
            self.pairs[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
            name, text = self.pairs[-1]
            self.pairs[-1] = (name, text.removeprefix("\n"))


def form_data(html: str) -> dict[str, list[str]]:
    form = html[html.index('class="record-form category-form"'):]
    form = form[:form.index("</form>")]
    parser = _Fields()
    parser.feed(form)
    out: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        out.setdefault(name, []).append(value)
    return out


@pytest.fixture
def negotiator_client(client, negotiator):
    client.force_login(negotiator)
    client.cookies["homecoming_language"] = "en"
    return client


@pytest.fixture
def reference_rows():
    from homecoming.registry.models import Branch, Direction, Operation

    Branch.objects.get_or_create(code="navy", defaults={"name_uk": "ВМС", "name_en": "Navy"})
    Direction.objects.get_or_create(code="donetsk", defaults={"name_uk": "Донецький", "name_en": "Donetsk"})
    Operation.objects.get_or_create(code="mariupol", defaults={"name_uk": "Маріуполь", "name_en": "Mariupol"})


@pytest.mark.parametrize("rule", RULES, ids=["categorical", "numeric", "groups", "negated", "empty"])
def test_a_rule_round_trips_through_the_forms_exactly(negotiator_client, negotiator, agreement, reference_rows,
                                                      rule):
    category = services.create_category(negotiator, agreement.pk, {**NAMES, "rule": rule})
    url = reverse("exchanges:category_edit", args=[category.pk])
    page = negotiator_client.get(url).content.decode()
    data = form_data(page)
    assert data["editor"] == ["forms"]  # shown as forms, not as JSON
    data["save"] = ["1"]
    response = negotiator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    category.refresh_from_db()
    assert category.rule == rule
    assert json.dumps(category.rule, sort_keys=True) == json.dumps(rule, sort_keys=True)


def _row(prefix, **values):
    return {f"{prefix}-kind": "row", **{f"{prefix}-{k}": v for k, v in values.items()}}


def test_a_rule_built_row_by_row_is_saved_as_its_json(negotiator_client, agreement):
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {**NAMES, "editor": "forms", "rb-join": "and", "rule": "", "rule_shown": "",
            **_row("rb-0", subject="kind", op="=", value="servicemember"),
            **_row("rb-1", subject="age_on", date="2025-06-09", op="between", number="18", high="24"),
            "rb-2-kind": "group", "rb-2-join": "not-or",
            **_row("rb-2-0", subject="sex", op="in", values=["female", "unknown"]),
            **_row("rb-2-1", subject="captivity_years_on", date="2025-06-12", op="in", numbers="1, 2 3"),
            "save": "1"}
    response = negotiator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Category.objects.get(name_en="rule").rule == {"and": [
        {"=": [{"field": "kind"}, "servicemember"]},
        {"between": [{"age_on": "2025-06-09"}, 18, 24]},
        {"not": {"or": [{"in": [{"field": "sex"}, ["female", "unknown"]]},
                        {"in": [{"captivity_years_on": "2025-06-12"}, [1, 2, 3]]}]}}]}


def test_add_and_remove_buttons_work_without_script(negotiator_client, agreement):
    url = reverse("exchanges:category_create", args=[agreement.pk])
    page = negotiator_client.get(url).content.decode()
    data = form_data(page)
    assert "rb-0-kind" in data  # a new rule starts with one condition
    data["rb_action"] = ["group:rb"]
    page = negotiator_client.post(url, data).content.decode()
    data = form_data(page)
    assert data["rb-1-kind"] == ["group"] and data["rb-1-0-kind"] == ["row"]
    assert 'value="group:rb-1"' not in page  # one level of groups inside the rule
    data["rb_action"] = ["row:rb-1"]
    data = form_data(negotiator_client.post(url, data).content.decode())
    assert "rb-1-1-kind" in data
    data["rb_action"] = ["remove:rb-1-0"]
    page = negotiator_client.post(url, data).content.decode()
    data = form_data(page)
    assert "rb-1-0-kind" not in data and "rb-1-1-kind" in data
    assert "error-summary" not in page  # building is not checking
    assert Category.objects.count() == 2


def _row_block(page: str, prefix: str) -> str:
    start = page.index(f'id="{prefix}" data-prefix')
    return page[start:page.index("</fieldset>", start)]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_a_bad_value_is_shown_next_to_its_row_and_nothing_is_saved(client, negotiator, agreement, lang):
    client.force_login(negotiator)
    client.cookies["homecoming_language"] = lang
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {**NAMES, "editor": "forms", "rb-join": "and", "rule": "", "rule_shown": "",
            **_row("rb-0", subject="kind", op="=", value="servicemember"),
            **_row("rb-1", subject="age_on", date="2025-06-09", op="≤", number="двадцять"),
            **_row("rb-2", subject="captivity_years_on", date="2025-06-12", op="between", number="5", high="3"),
            **_row("rb-3", subject="sex", op="<", value="male"),
            "save": "1"}
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    from django.utils import translation

    with translation.override(lang):
        number = translation.gettext("Enter a number.")
        low_high = translation.gettext("The low end of the range is above the high end.")
        not_for_field = translation.gettext("This condition cannot be used with this field.")
        summary = translation.gettext("The rule has errors: see the conditions marked below.")
    if lang == "uk":
        assert number != "Enter a number." and low_high != "The low end of the range is above the high end."
    assert number in _row_block(page, "rb-1")
    assert low_high in _row_block(page, "rb-2")  # the engine's error, put on its row by its JSON path
    assert not_for_field in _row_block(page, "rb-3")
    assert summary in page
    assert "errorlist" not in _row_block(page, "rb-0")
    assert Category.objects.count() == 2
    # nothing was saved, and the page keeps what was typed
    data = form_data(page)
    assert data["rb-1-number"] == ["двадцять"] and data.get("rb-3-op", []) == []  # "<" is not offered for a field


def test_check_shows_the_preview_of_the_rule_the_forms_state(negotiator_client, agreement, make_person):
    make_person("Молодий", "Іван", birth_date=dt.date(2002, 1, 1))
    make_person("Старший", "Іван", birth_date=dt.date(2000, 6, 1))  # 25: just outside
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {**NAMES, "editor": "forms", "rb-join": "and", "rule": "", "rule_shown": "",
            **_row("rb-0", subject="age_on", date="2025-06-09", op="≤", number="24"), "check": "1"}
    page = negotiator_client.post(url, data).content.decode()
    assert re.search(r'id="eligible-count-ours">1<', page)
    assert "Молодий" in page and "Старший" in page and "must be ≤ 24" in page
    # the JSON editor shows the rule the forms state: what an export copies
    assert json.loads(form_data(page)["rule"][0]) == {"and": [{"≤": [{"age_on": "2025-06-09"}, 24]}]}
    assert Category.objects.count() == 2


def test_json_stays_available_to_import(negotiator_client, agreement):
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {**form_data(negotiator_client.get(url).content.decode()), **{k: [v] for k, v in NAMES.items()}}
    rule = {"or": [{"=": [{"field": "sex"}, "female"]}, {"<=": [{"age_on": "2025-06-09"}, 24]}]}
    data["rule"] = [json.dumps(rule)]
    data["import_json"] = ["1"]
    page = negotiator_client.post(url, data).content.decode()
    data = form_data(page)
    assert data["editor"] == ["forms"] and data["rb-join"] == ["or"] and data["rb-1-op"] == ["≤"]
    data["save"] = ["1"]
    assert negotiator_client.post(url, data).status_code == 302
    assert Category.objects.get(name_en="rule").rule == {
        "or": [{"=": [{"field": "sex"}, "female"]}, {"≤": [{"age_on": "2025-06-09"}, 24]}]}


def test_json_edited_in_the_forms_mode_is_the_rule_saved(negotiator_client, agreement):
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {**form_data(negotiator_client.get(url).content.decode()), **{k: [v] for k, v in NAMES.items()}}
    data["rule"] = ['{"=": [{"field": "sex"}, "female"]}']  # not a shape the forms show: kept as JSON
    data["save"] = ["1"]
    assert negotiator_client.post(url, data).status_code == 302
    assert Category.objects.get(name_en="rule").rule == {"=": [{"field": "sex"}, "female"]}


def test_a_rule_the_forms_cannot_show_is_edited_as_json(negotiator_client, negotiator, agreement):
    rule = {"not": {"=": [{"field": "sex"}, "female"]}}
    category = services.create_category(negotiator, agreement.pk, {**NAMES, "rule": rule})
    url = reverse("exchanges:category_edit", args=[category.pk])
    data = form_data(negotiator_client.get(url).content.decode())
    assert data["editor"] == ["json"] and json.loads(data["rule"][0]) == rule
    data["save"] = ["1"]
    assert negotiator_client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.rule == rule
