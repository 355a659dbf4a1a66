"""Reference lists in the Django admin, for holders of registry.change_referencedata only.

Rows are never deleted (persons point at them): an administrator renames them or takes them out
of use. Every change is also written to the audit log.
"""

from django.contrib import admin

from homecoming.audit.services import record

from .models import Branch, Direction, Operation, Rank

PERM = "registry.change_referencedata"


class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "name_en", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("code", "name_uk", "name_en")
    list_filter = ("active",)

    def has_module_permission(self, request):
        return request.user.has_perm(PERM)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERM)

    def has_add_permission(self, request):
        return request.user.has_perm(PERM)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(PERM)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(request.user, "registry.reference_data", object_type=obj._meta.model_name, object_id=obj.pk,
               details={"code": obj.code, "changed": sorted(form.changed_data), "created": not change},
               request=request)


@admin.register(Branch)
class BranchAdmin(ReferenceAdmin):
    pass


@admin.register(Direction)
class DirectionAdmin(ReferenceAdmin):
    pass


@admin.register(Operation)
class OperationAdmin(ReferenceAdmin):
    pass


@admin.register(Rank)
class RankAdmin(ReferenceAdmin):
    list_display = ("code", "name_uk", "name_en", "category", "position", "active")
    list_filter = ("category", "active")
