"""``homecoming otp-reset USERNAME``: remove a person's authenticator (a lost or replaced phone).

At their next login they set up a new one. Audited (``otp.reset``)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from homecoming.accounts.services import reset_otp


class Command(BaseCommand):
    help = "Remove USERNAME's two-factor authenticator; they enrol a new one at their next login."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        removed = reset_otp(None, user)
        if removed:
            self.stdout.write(f"Removed the authenticator of {username}: they set up a new one at their next login.")
        else:
            self.stdout.write(f"{username} had no authenticator; nothing changed.")
