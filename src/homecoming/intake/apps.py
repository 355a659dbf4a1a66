from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "homecoming.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from homecoming.registry.services import person_merge_undone, person_merged

        from . import operations, receivers  # noqa: F401  (operations registers confirm-all)

        person_merged.connect(receivers.repoint_rows_after_merge, dispatch_uid="intake-repoint-after-merge")
        person_merge_undone.connect(receivers.repoint_rows_after_merge_undo,
                                    dispatch_uid="intake-repoint-after-merge-undo")
