from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    """Agreements, categories, exchanges (stages), list entries, reconciliation and the communiqué."""

    name = "homecoming.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        from homecoming.registry.services import person_merge_undone, person_merged

        from . import services

        def _follow(sender, merge, survivor, duplicate, **kwargs):
            services.follow_merge(merge, survivor, duplicate)

        def _undo(sender, merge, survivor, duplicate, **kwargs):
            services.follow_merge_undo(merge, survivor, duplicate)

        person_merged.connect(_follow, dispatch_uid="exchanges.person_merged", weak=False)
        person_merge_undone.connect(_undo, dispatch_uid="exchanges.person_merge_undone", weak=False)
