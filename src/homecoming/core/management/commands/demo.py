"""``homecoming demo``: the demo accounts (one per role) and the demo scenario.

Idempotent: accounts that exist are left as they are (their password is reset to the printed
demo password, so the printout is always right); data that exists is not loaded again.
Refuses to run in production mode.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from homecoming.accounts import roles as r
from homecoming.accounts.roles import sync_roles
from homecoming.accounts.services import create_user, set_roles

# user name -> (roles, full name). Two finance officers: a batch needs a second one to approve.
DEMO_ACCOUNTS = {
    "registrar": ([r.REGISTRAR], "Олена", "Реєстраторка"),
    "analyst": ([r.ANALYST], "Тарас", "Аналітик"),
    "negotiator": ([r.NEGOTIATOR], "Ірина", "Перемовниця"),
    "medic": ([r.MEDICAL_OFFICER], "Богдан", "Лікар"),
    "caseworker": ([r.CASE_WORKER], "Марія", "Соцпрацівниця"),
    "finance1": ([r.FINANCE_OFFICER], "Андрій", "Фінансист"),
    "finance2": ([r.FINANCE_OFFICER], "Оксана", "Фінансистка"),
    "admin": ([r.ADMINISTRATOR], "Степан", "Адміністратор"),
    "leadership": ([r.LEADERSHIP], "Віктор", "Керівник"),
    "forensic": ([r.FORENSIC_EXPERT], "Наталія", "Експертка"),
}


def demo_password(username: str) -> str:
    return f"{username}-demo-2025"


class Command(BaseCommand):
    help = "Create one demo account per role (printing names and passwords) and load the demo scenario."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=20000, help="size of the demo register")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--accounts-only", action="store_true")
        parser.add_argument("--today", default=None,
                            help="the day the demo's aftercare is worked up to (YYYY-MM-DD; default: today)")

    def handle(self, *args, persons, seed, accounts_only, today=None, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo set-up refuses to run in production mode.")
        sync_roles()
        User = get_user_model()
        rows = []
        for username, (roles, first, last) in DEMO_ACCOUNTS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                create_user(None, username=username, password=demo_password(username), roles=roles,
                            first_name=first, last_name=last)
            else:
                user.set_password(demo_password(username))
                user.save(update_fields=["password"])
                set_roles(None, user, roles)
            rows.append((username, demo_password(username), ", ".join(str(r.ROLE_BY_SLUG[x].label) for x in roles)))
        self.stdout.write("Demo accounts (development only):")
        width = max(len(u) for u, _, _ in rows)
        for username, password, role_labels in rows:
            self.stdout.write(f"  {username:<{width}}  {password:<22}  {role_labels}")
        if accounts_only:
            return
        # Later apps add their own demo commands; each one is idempotent.
        if "demo_data" in get_commands():
            call_command("demo_data", persons=persons, seed=seed, stdout=self.stdout)
        if "demo_scenario" in get_commands():
            call_command("demo_scenario", stdout=self.stdout)
        if "demo_remains" in get_commands():
            call_command("demo_remains", stdout=self.stdout)
        if "demo_death_benefits" in get_commands():
            call_command("demo_death_benefits", stdout=self.stdout)
        if "demo_aftercare" in get_commands():
            call_command("demo_aftercare", *(["--today", today] if today else []), stdout=self.stdout)
