from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemainsConfig(AppConfig):
    """Transfers of remains, ante- and post-mortem data, reference samples and identification."""

    name = "homecoming.remains"
    label = "remains"
    verbose_name = _("Remains and identification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (refuses a merge that would move forensic records)
