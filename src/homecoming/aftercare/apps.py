from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    """Aftercare cases of returnees and their tasks."""

    name = "homecoming.aftercare"
    label = "aftercare"
    verbose_name = _("Aftercare")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to persons_returned and the register's merges)

    def family_contact_for(self, person) -> dict | None:
        """The family portal's contact for a returnee: the owner of their open aftercare case.

        Asked by homecoming.families.contacts (same layer, so no import either way). Only the
        case worker's name and the work phone and e-mail their account publishes to families
        (never the sign-in e-mail) are given, nothing about the case itself; with neither, the
        portal gives the headquarters' hotline (families/status.py)."""
        from .selectors import open_case_of

        case = open_case_of(person)
        owner = getattr(case, "owner", None)
        if owner is None:
            return None
        return {"name": owner.get_full_name() or owner.get_username(), "phone": owner.family_phone,
                "email": owner.family_email}

    def family_case_worker_for(self, person) -> int | None:
        """The account id of the case worker who owns ``person``'s open case (None: no case, or nobody
        owns it). Asked by name by the families app (homecoming.families.contacts.case_worker_id_for),
        which sends a family's message to that case worker, or else to the case workers' shared queue."""
        from .selectors import open_case_of

        case = open_case_of(person)
        return case.owner_id if case is not None else None
