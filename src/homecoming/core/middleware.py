from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a signed-in user unless its view is marked ``@login_not_required``.

    API views are left to Django REST framework, which authenticates tokens itself and answers
    401/403 in JSON instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None and hasattr(view_func.cls, "authentication_classes"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
