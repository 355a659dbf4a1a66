"""Both languages are complete: every Ukrainian catalogue is fully translated and compiled."""

from pathlib import Path

import polib
import pytest

import homecoming

CATALOGUES = sorted(Path(homecoming.__file__).parent.rglob("locale/uk/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert CATALOGUES, "no Ukrainian catalogue found"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{po_path}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{po_path}: fuzzy {fuzzy[:10]}"
    for entry in po.translated_entries():
        for placeholder in ("%(", "{"):
            assert entry.msgid.count(placeholder) == (entry.msgstr or entry.msgstr_plural[0]).count(placeholder), \
                entry.msgid
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run compilemessages"
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or tuple(e.msgstr_plural.values())) for e in polib.mofile(str(mo_path))}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        expected = entry.msgstr or tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
        assert compiled.get(key) == expected, f"{mo_path} is out of date for {entry.msgid!r}: run compilemessages"
