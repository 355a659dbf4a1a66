from django.core.management.base import BaseCommand

from homecoming.accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Make every role group hold exactly the permissions defined in homecoming/accounts/roles.py."

    def handle(self, *args, **options):
        for slug, perms in sync_roles().items():
            self.stdout.write(f"{slug}: {len(perms)} permissions")
