from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "homecoming.registry"
    label = "registry"
    verbose_name = _("Register")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .forms import forget_reference_lists
        from .models import Branch, Direction, Operation, Rank

        for model in (Branch, Direction, Operation, Rank):
            post_save.connect(forget_reference_lists, sender=model, dispatch_uid=f"forget-lists-{model.__name__}")
            post_delete.connect(forget_reference_lists, sender=model, dispatch_uid=f"forget-lists-del-{model.__name__}")
