"""The language of a signed-in person's pages follows them from one computer to another.

Django chooses the language from the language cookie (set by the switch in every page's header),
then from the browser's Accept-Language. A person who switched to English on one computer found
Ukrainian again on the next. Now the switch, used while signed in, also saves the choice on the
account (``User.preferred_language``), and on a browser without the cookie that choice comes
before the browser's own. The cookie still comes first: a choice just made on this computer wins.
An account that never used the switch keeps the browser's language.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.utils import translation
from django.views.i18n import set_language as django_set_language

from .services import OFFERED_LANGUAGES as LANGUAGES
from .services import set_preferred_language


@login_not_required  # the login page and the family portal have the switch too
def set_language(request):
    """Django's language switch; for a signed-in person, the choice is also kept on the account."""
    response = django_set_language(request)
    chosen = request.POST.get("language", "") if request.method == "POST" else ""
    if chosen not in LANGUAGES:  # Django would keep any language it has a catalogue of ("de")
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        set_preferred_language(user, chosen)
    return response


class AccountLanguageMiddleware:
    """After authentication: a signed-in person's saved language when the browser has no cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            preferred = getattr(user, "preferred_language", "") if user is not None and user.is_authenticated else ""
            if preferred in LANGUAGES:
                translation.activate(preferred)
                request.LANGUAGE_CODE = preferred
        return self.get_response(request)
