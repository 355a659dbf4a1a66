from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Background operations (confirm all matches, reconcile a stage, prepare a batch): started
    by a person, run by a worker in chunks, followed on the page, cancellable."""

    name = "homecoming.operations"
    label = "operations"
    verbose_name = _("Background work")
    default_auto_field = "django.db.models.BigAutoField"
