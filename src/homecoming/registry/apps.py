from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "homecoming.registry"
    label = "registry"
    verbose_name = _("Register")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from homecoming.common.collation import register_sqlite

        from .forms import forget_reference_lists
        from .models import Branch, Direction, Operation, Rank

        for model in (Branch, Direction, Operation, Rank):
            post_save.connect(forget_reference_lists, sender=model, dispatch_uid=f"forget-lists-{model.__name__}")
            post_delete.connect(forget_reference_lists, sender=model, dispatch_uid=f"forget-lists-del-{model.__name__}")
        # names sort in Ukrainian alphabetical order on SQLite too (homecoming.common.collation)
        connection_created.connect(register_sqlite, dispatch_uid="homecoming-uk-collation")
