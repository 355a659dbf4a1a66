"""What every API view shares: who may call which method, how lists are paged, what errors look like.

Why a base: the API used to check permissions four ways (a permission class per app, a helper
called in each handler) and to page some lists, cut others at 100 or 500 and return others whole.
Now every view states ``required_perms`` and inherits the check, every list is paged the same way
(``?page=``, ``{"count", "next", "previous", "results"}``) and every operation documents its errors
with the one error shape of ``homecoming.api.errors``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from .errors import MAX_INT64


class RolePermission(permissions.BasePermission):
    """``view.required_perms`` maps a method to what it needs: every item must hold; an item is a
    permission, or a tuple of permissions of which any one is enough (a person with two roles gets
    the union); an empty tuple: any signed-in user. A method without an entry is refused. HEAD is
    checked as GET; OPTIONS only needs a signed-in user (it answers 405: the schema at /api/schema/
    says what each operation takes)."""

    message = gettext_lazy("Your role does not allow this.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method == "OPTIONS":
            return True
        method = "GET" if request.method == "HEAD" else request.method
        needed = view.required_perms.get(method)
        if needed is None:
            return False
        return all(any(user.has_perm(p) for p in ((item,) if isinstance(item, str) else item)) for item in needed)


class Pagination(PageNumberPagination):
    """Every list of the API: pages of 50 (``?page=2``), with the total count and links."""

    page_size = 50


class ApiView(generics.GenericAPIView):
    """The base of every API view: role permissions per method, paging, OPTIONS answering 405."""

    permission_classes = [RolePermission]
    pagination_class = Pagination
    metadata_class = None  # OPTIONS: 405, the schema documents every operation
    required_perms: dict[str, tuple] = {}

    def paged(self, rows, serializer_class, **context):
        """One page of ``rows`` (a queryset or a list) through ``serializer_class``, as a paged answer;
        returns (response, the rows of the page) so that the caller can audit what was shown."""
        page = self.paginate_queryset(rows)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return self.get_paginated_response(data), page



class StrictInput(serializers.Serializer):
    """A request body that names each field it does not know (a typo is not silently dropped)."""

    def validate(self, attrs):
        if isinstance(getattr(self, "initial_data", None), dict):  # a nested body has none of its own
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise ValidationError({f: [_("Unknown field.")] for f in unknown})
        return attrs


class Text(serializers.CharField):
    """Text of a request body: a JSON string and nothing else (DRF's CharField turns 5 into "5",
    which hides a client's mistake)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def Id(**kwargs):  # noqa: N802 - a field factory, named like the fields it makes
    """The id of a record in a request body: a whole number from 1 that a 64-bit column holds."""
    return serializers.IntegerField(min_value=1, max_value=MAX_INT64, **kwargs)
