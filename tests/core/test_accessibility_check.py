"""The accessibility check of the browser journeys (tests/accessibility.py) really finds what
axe-core calls serious or critical, and passes over what it does not: a check that could never
fail would let every journey pass."""

import pytest

from tests import accessibility

pytestmark = pytest.mark.browser


@pytest.fixture
def blank(_playwright_browser):
    if not accessibility.available():
        pytest.skip("axe-core is not installed (make test installs it)")
    context = _playwright_browser.new_context()
    yield context.new_page()
    context.close()


def test_a_field_without_a_label_is_found(blank):
    blank.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>'
                      '<input type="text" name="surname"></main></body></html>')
    found = accessibility.violations(blank)
    assert [v["id"] for v in found] == ["label"], found
    assert found[0]["impact"] in accessibility.IMPACTS


def test_a_labelled_field_passes(blank):
    blank.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>Form</h1>'
                      '<label for="s">Surname</label><input id="s" type="text" name="surname"></main></body></html>')
    assert accessibility.violations(blank) == []
