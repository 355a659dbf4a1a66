from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "homecoming.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import signals  # noqa: F401  (login auditing)
        from .roles import sync_roles_after_migrate

        # Every `migrate` brings the role groups in line with the code (homecoming.accounts.roles).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="homecoming-sync-roles")

    def role_labels_of(self, user) -> list[str]:
        """The labels of the account's roles, in the reader's language: asked by name by the apps
        below accounts (the audit viewer says "Registrar olena"), which may not import it."""
        from .roles import roles_of

        return [str(role.label) for role in roles_of(user)]
