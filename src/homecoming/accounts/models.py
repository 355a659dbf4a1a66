from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff account. Roles are groups (see roles.py); families never get an account."""

    #: the language the person last chose with the language switch while signed in ("" until
    #: then: the browser's); it follows them to another computer (accounts/language.py)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=[("uk", _("Ukrainian")), ("en", _("English"))], default="",
        blank=True,
    )
    #: an administrator asks this person to set up two-factor login at their next sign-in, even
    #: where HOMECOMING_REQUIRE_2FA is off (middleware.needs_second_factor)
    otp_required = models.BooleanField(_("must set up two-factor login"), default=False)
    #: the password was given by someone else (a new account's or a reset one, handed over once):
    #: every page but the password change sends its owner there until they choose their own
    #: (middleware.TemporaryPasswordMiddleware)
    password_is_temporary = models.BooleanField(_("must choose a new password"), default=False)
    #: how the families of this person's aftercare cases may reach them, shown on the family portal
    #: (a work phone and a work e-mail, never the sign-in e-mail); left empty, the portal gives the
    #: headquarters' hotline (settings.FAMILIES_HOTLINE) in their place (families/status.py)
    family_phone = models.CharField(_("work phone for families"), max_length=20, blank=True, default="")
    family_email = models.EmailField(_("work e-mail for families"), max_length=254, blank=True, default="")
    #: raised with every change of the account's groups or permissions (access.py keys its cache by it)
    access_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_accounts", "Can manage accounts and roles")]

    @property
    def role_slugs(self) -> list[str]:
        from .roles import roles_of

        return [role.slug for role in roles_of(self)]
