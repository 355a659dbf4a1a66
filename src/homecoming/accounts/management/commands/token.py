"""``homecoming token create USERNAME``: print a new API token for a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from homecoming.accounts.services import create_token


class Command(BaseCommand):
    help = "API tokens. 'create USERNAME' prints a new token (the old one stops working)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="make a new token for USERNAME")
        create.add_argument("username")

    def handle(self, *args, subcommand, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user named {options['username']!r}.") from None
        self.stdout.write(create_token(None, user))
