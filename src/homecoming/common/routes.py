"""A page's address stated beside its view: ``@route("<int:pk>/close/")`` above the view, and
the app's urls.py is ``urlpatterns = urlpatterns_of(views)``.

Each app's urls.py used to repeat its views' names in a table of the same shape as every other
app's; now the address, the view and its URL name (the function's name unless given) stand in
one place. The order of the patterns is the order of the views in their module.
"""

from __future__ import annotations

from types import ModuleType

from django.urls import URLPattern, path


def route(pattern: str, name: str | None = None):
    """Mark a view as served at ``pattern`` (relative to the app's prefix) under URL ``name``.
    Put it above the view's other decorators."""

    def mark(view):
        view.route = (pattern, name or view.__name__)
        return view

    return mark


def urlpatterns_of(*modules: ModuleType) -> list[URLPattern]:
    """The patterns of every view marked with :func:`route` in ``modules``, in their order."""
    return [path(view.route[0], view, name=view.route[1])
            for module in modules for view in vars(module).values()
            if callable(view) and getattr(view, "__module__", None) == module.__name__
            and isinstance(getattr(view, "route", None), tuple)]
