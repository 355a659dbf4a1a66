from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Payment rules, entitlements, batches approved by two people, and the ledger."""

    name = "homecoming.payments"
    label = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import operations, receivers  # noqa: F401  (receivers connects to persons_returned and the
        # register's merges; operations registers the preparation of a batch)

    # Asked by name by the remains app (same layer: no import either way).
    def death_benefit_arises(self, actor, **kwargs):
        from .services import death_benefit_arises

        return death_benefit_arises(actor, **kwargs)

    def death_reversed(self, actor, **kwargs):
        from .services import death_reversed

        return death_reversed(actor, **kwargs)
