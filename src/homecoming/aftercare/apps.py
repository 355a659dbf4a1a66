from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    """Aftercare cases of returnees and their tasks."""

    name = "homecoming.aftercare"
    label = "aftercare"
    verbose_name = _("Aftercare")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to person_returned and the register's merges)
