"""The console script and the demo set-up."""

import io
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from homecoming.accounts.roles import ROLES
from homecoming.audit.services import verify_chain
from homecoming.core.management.commands.demo import DEMO_ACCOUNTS, demo_password


@pytest.mark.django_db
def test_demo_accounts_one_per_role_and_idempotent():
    out = io.StringIO()
    call_command("demo", accounts_only=True, stdout=out)
    User = get_user_model()
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    covered = {slug for roles, *_ in DEMO_ACCOUNTS.values() for slug in roles}
    assert covered == {role.slug for role in ROLES}
    for username in DEMO_ACCOUNTS:
        assert f"{username}" in out.getvalue() and demo_password(username) in out.getvalue()
        assert User.objects.get(username=username).check_password(demo_password(username))
    call_command("demo", accounts_only=True, stdout=io.StringIO())
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    assert verify_chain() is None


@pytest.mark.django_db
def test_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo", accounts_only=True, stdout=io.StringIO())
    assert get_user_model().objects.count() == 0


def test_console_script_accepts_hyphenated_command_names():
    result = subprocess.run([sys.executable, "-m", "homecoming", "sync-roles", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "permissions defined in" in result.stdout
