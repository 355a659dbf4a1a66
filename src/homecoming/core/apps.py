from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The web shell: layout, start page, navigation, health check, demo set-up."""

    name = "homecoming.core"
    label = "core"
    verbose_name = _("Core")
