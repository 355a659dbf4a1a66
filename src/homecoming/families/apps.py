from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    """Inquiries from families, the family portal and the notifications sent to families."""

    name = "homecoming.families"
    label = "families"
    verbose_name = _("Families")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to the register's signals)
