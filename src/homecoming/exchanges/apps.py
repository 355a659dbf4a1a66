from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    """Agreements, categories, exchanges (stages), list entries, reconciliation and the communiqué."""

    name = "homecoming.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        from homecoming.registry.services import follow_merges

        from . import operations, services  # noqa: F401  (operations registers the reconciliation)

        follow_merges("exchanges", services.follow_merge, services.follow_merge_undo)
