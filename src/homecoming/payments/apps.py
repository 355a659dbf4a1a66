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
