"""Both languages are complete: every Ukrainian catalogue is fully translated and compiled."""

import os
import shutil
import subprocess
import sys
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


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_every_plural_has_all_the_forms_of_the_language(po_path):
    """Ukrainian has 4 plural forms (one, few, many, other): a message with fewer falls back to
    English or to nothing for the counts of a missing form (``5 persons`` on a Ukrainian page)."""
    po = polib.pofile(str(po_path))
    header = po.metadata.get("Plural-Forms", "")
    nplurals = int(header.split("nplurals=")[1].split(";")[0])
    short = [e.msgid for e in po.translated_entries()
             if e.msgid_plural and sorted(k for k, v in e.msgstr_plural.items() if v) != list(range(nplurals))]
    assert not short, f"{po_path}: plural messages without all {nplurals} forms: {short}"


PACKAGE = Path(homecoming.__file__).parent


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_every_string_in_the_code_is_in_its_catalogue(po_path, tmp_path):
    """Re-extract the strings of the catalogue's code (as makemessages would) into a copy and
    check that nothing is left untranslated: a new string without a translation fails here."""
    owner = po_path.parent.parent.parent.parent  # <app>/locale/uk/LC_MESSAGES/django.po -> <app>
    copy = tmp_path / owner.name
    shutil.copytree(owner, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    ignores = []
    if owner == PACKAGE:
        # The package's own catalogue covers the shell (core, audit, accounts, templates, api views);
        # each app with a catalogue of its own keeps its strings there.
        apps_with_catalogues = {p.parent.parent.parent.parent.name for p in CATALOGUES if p != po_path}
        for name in apps_with_catalogues | {"names", "linkage", "rules"}:
            ignores += ["--ignore", f"{name}/*"]
        for api_module in (copy / "api").glob("*.py"):
            if api_module.stem in apps_with_catalogues:
                ignores += ["--ignore", f"api/{api_module.name}"]
    result = subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "uk", "--no-obsolete", *ignores],
        cwd=copy, capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "homecoming.settings"},
    )
    assert result.returncode == 0, result.stderr
    po = polib.pofile(str(copy / "locale" / "uk" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"{po_path}: strings without a Ukrainian translation: {missing[:15]}"
