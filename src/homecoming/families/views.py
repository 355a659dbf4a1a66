"""Pages of the families app: the public family portal (/family/) and the staff pages
(/families/). Every write goes through the services; every read of an inquiry is audited."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from homecoming.audit.services import client_ip
from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors, flash_outcome
from homecoming.common.permissions import require_all
from homecoming.common.routes import route
from homecoming.core.evidence import evidence, evidence_labels
from homecoming.registry import selectors as registry_selectors
from homecoming.registry.models import Person

from . import selectors, services
from .contacts import case_worker_id_for
from .forms import InquiryForm, LinkForm, MessageForm, PortalForm
from .models import FamilyMessage, FiledVia, Inquiry, InquiryState, MessageFrom
from .status import WARNING, death_told, family_view, headquarters_contact

PAGE_SIZE = 50


# --- the public portal ------------------------------------------------------------------------

def portal_page(view):
    """Public, CSRF-protected, never cached, never indexed, no referrer sent to other sites."""

    @login_not_required
    @never_cache
    @csrf_protect
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"  # not no-referrer: POSTs would carry Origin: null
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _portal_context(**extra):
    return {"hq": headquarters_contact(), "warning": WARNING, **extra}


@portal_page
@require_http_methods(["GET", "POST"])
def portal(request):
    """Reference and code in a POST body (never in the URL). An unknown reference and a wrong
    code get the same page with the same status; a locked address or reference gets 429."""
    if request.method == "GET":
        return render(request, "families/portal.html", _portal_context(form=PortalForm()))
    form = PortalForm(request.POST)
    if not form.is_valid():
        return render(request, "families/portal.html", _portal_context(form=form), status=400)
    answer = services.portal_lookup(reference=form.cleaned_data["reference"], code=form.cleaned_data["code"],
                                    address=client_ip(request) or "", request=request)
    if answer.outcome == "ok":
        return render(request, "families/portal_status.html", _status_context(answer))
    if answer.outcome == "locked":
        return render(request, "families/portal_locked.html", _portal_context(), status=429)
    # A fresh form: nothing typed is echoed back, so both kinds of failure read the same.
    return render(request, "families/portal.html", _portal_context(form=PortalForm(), denied=True))


# --- messages to the case worker -----------------------------------------------------------------
#
# The portal has no session: a look-up with the reference and the code gives a page with a signed,
# short-lived access token (the inquiry's id, signed with the site's secret) in the message form.
# The form sends it back with the message; an expired or forged token asks for the code again.

ACCESS_SALT = "homecoming.families.portal-access"
ACCESS_SECONDS = 30 * 60


def _status_context(answer, *, form=None, sent=False):
    inquiry = answer.inquiry
    can_write = services.may_write(inquiry)
    return _portal_context(
        inquiry=inquiry, view=answer.view, thread=selectors.portal_thread(inquiry), can_write=can_write,
        to_queue=can_write and case_worker_id_for(inquiry.person) is None,
        message_form=form or MessageForm(), sent=sent, message_limit=services.message_limits(),
        access=signing.dumps({"inquiry": inquiry.pk}, salt=ACCESS_SALT), submission=secrets.token_urlsafe(24))


@portal_page
@require_POST
def portal_message(request):
    """A family's message to the case worker, sent from the status page (see above)."""
    try:
        access = signing.loads(request.POST.get("access", ""), salt=ACCESS_SALT, max_age=ACCESS_SECONDS)
        inquiry_id = int(access["inquiry"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "families/portal.html", _portal_context(form=PortalForm(), expired=True), status=400)
    form = MessageForm(request.POST)
    status, sent = 200, False
    if form.is_valid():
        try:
            services.send_family_message(inquiry_id, form.cleaned_data["body"],
                                         submission=request.POST.get("submission", ""), request=request)
        except services.AlreadySent:
            sent = True
        except services.TooManyMessages as exc:
            apply_errors(form, exc)
            status = 429
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
        else:
            sent = True
    else:
        status = 400
    answer = services.portal_reopen(inquiry_id, via="message", request=request)
    if answer.outcome != "ok":
        return render(request, "families/portal.html", _portal_context(form=PortalForm(), expired=True), status=400)
    return render(request, "families/portal_status.html",
                  _status_context(answer, form=None if sent else form, sent=sent), status=status)


# --- filing: post, redirect, get ----------------------------------------------------------------
#
# The filing form carries a one-time token; the same token sent again (a reload of the result, a
# double click, the back button) files nothing more (services.AlreadyFiled). After filing, the
# browser is sent to a plain GET page, which shows the reference and the code ONCE: they travel
# in a short-lived signed cookie, only to the browser that filed, and the page deletes it. The
# server keeps only the code's slow hash, as before.

FILED_COOKIE = "hc_filed"
FILED_SALT = "homecoming.families.filed"
FILED_SECONDS = 15 * 60


def _filing_form_context(request, form, *, public):
    token = request.POST.get("submission") or secrets.token_urlsafe(24)
    return _portal_context(form=form, public=public, submission=token)


def _file(request, form, *, via, public):
    """File from a valid form, or answer why not; the redirect after success sets the cookie."""
    received = reverse("family:inquiry_received" if public else "families:inquiry_received")
    try:
        filed = services.file_inquiry(request.user if not public else None, form.cleaned_data, via=via,
                                      submission=request.POST.get("submission", ""), request=request)
    except services.AlreadyFiled:
        return redirect(received)  # nothing filed twice; the first answer's cookie, if kept, shows the code
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    response = redirect(received)
    response.set_signed_cookie(
        FILED_COOKIE, json.dumps({"pk": filed.inquiry.pk, "reference": filed.inquiry.reference,
                                  "secret": filed.secret, "emailed": filed.emailed,
                                  "email_given": bool(filed.inquiry.email)}),
        salt=FILED_SALT, max_age=FILED_SECONDS, path=received, httponly=True, samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE)
    return response


def _received(request, *, public):
    """The reference and code, shown once; a reload shows that they were shown."""
    path = reverse("family:inquiry_received" if public else "families:inquiry_received")
    try:
        filed = json.loads(request.get_signed_cookie(FILED_COOKIE, salt=FILED_SALT, max_age=FILED_SECONDS))
    except (KeyError, ValueError, signing.BadSignature):
        filed = None
    response = render(request, "families/inquiry_filed.html", _portal_context(filed=filed, public=public))
    response.delete_cookie(FILED_COOKIE, path=path, samesite="Strict")
    return response


@portal_page
@require_http_methods(["GET", "POST"])
def inquiry_new_public(request):
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _file(request, form, via=FiledVia.PORTAL, public=True)
        if response is not None:
            return response
    status = 400 if form.is_bound else 200
    return render(request, "families/inquiry_form.html", _filing_form_context(request, form, public=True),
                  status=status)


@portal_page
@require_http_methods(["GET"])
def inquiry_received_public(request):
    return _received(request, public=True)


# --- staff pages ----------------------------------------------------------------------------

@route("")
@never_cache
def inquiry_list(request):
    require_all(request, "families.view_inquiry")
    state = request.GET.get("state", InquiryState.NEW)
    if state not in InquiryState.values and state != "all":
        state = InquiryState.NEW
    page = selectors.inquiry_page_for_reading(actor(request), state, request.GET.get("page"), PAGE_SIZE,
                                              request=request)
    return render(request, "families/inquiry_list.html", {
        "page": page, "state": state, "states": [("all", _("All")), *InquiryState.choices],
        "active_lockouts": selectors.lockouts(active_only=True).count(),
    })


@route("new/", name="inquiry_new")
@never_cache
@require_http_methods(["GET", "POST"])
def inquiry_new_staff(request):
    require_all(request, "families.change_inquiry")
    form = InquiryForm(request.POST or None, staff=True)
    if request.method == "POST" and form.is_valid():
        response = _file(request, form, via=FiledVia.STAFF, public=False)
        if response is not None:
            return response
    return render(request, "families/inquiry_form.html", _filing_form_context(request, form, public=False),
                  status=400 if form.is_bound else 200)


@route("new/received/", name="inquiry_received")
@never_cache
@require_http_methods(["GET"])
def inquiry_received_staff(request):
    require_all(request, "families.change_inquiry")
    return _received(request, public=False)


@route("<int:pk>/")
@never_cache
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, pk):
    require_all(request, "families.view_inquiry")
    inquiry = get_object_or_404(Inquiry.objects.select_related("person", "filed_by", "linked_by"), pk=pk)
    can_change = request.user.has_perm("families.change_inquiry")
    link_form = LinkForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if link_form.is_valid():
            person = registry_selectors.person_by_reference(link_form.cleaned_data["person"])
            try:
                if person is None:
                    raise ValidationError({"person": [_("No person with this reference in the register.")]})
                services.link_inquiry(request.user, inquiry.pk, person.pk, request=request)
            except ValidationError as exc:
                apply_errors(link_form, exc)
            else:
                messages.success(request, _("The inquiry is linked to %(ref)s.") % {"ref": person.reference})
                return redirect("families:inquiry_detail", pk=inquiry.pk)
    selectors.inquiry_for_reading(actor(request), inquiry, request=request)
    decision, proposals = "", []
    if inquiry.person_id is None and request.user.has_perm("registry.view_person"):
        decision, proposals = selectors.linkage_proposals(inquiry)
        labels = evidence_labels()  # the engine's field and level codes in the reader's language
        for proposal in proposals:
            registry_selectors.person_for_reading(actor(request), proposal.person, via="inquiry", request=request)
            proposal.evidence = evidence([asdict(f) for f in proposal.candidate.explanation], labels)
    return render(request, "families/inquiry_detail.html", {
        "inquiry": inquiry, "can_change": can_change, "link_form": link_form,
        "decision": decision, "proposals": proposals,
        "see_contacts": request.user.has_perm("registry.view_contacts"),
        "see_person": request.user.has_perm("registry.view_person"),
        "can_create_person": can_change and request.user.has_perm("registry.add_person"),
        "notifications": selectors.notifications_of(inquiry),
        "family_sees": family_view(inquiry),
        "to_tell": request.user.has_perm("families.tell_family") and inquiry.person_id is not None
        and inquiry.person.current_status == "deceased" and not death_told(inquiry),
    }, status=400 if link_form.is_bound and link_form.errors else 200)


def _post_action(request, pk, action, success, *, perm="families.change_inquiry", tick=None):
    """An action on an inquiry from a button; ``tick``: (field, message) of a box that must be ticked
    first, for an action that cannot be taken back."""
    require_all(request, perm)
    inquiry = get_object_or_404(Inquiry, pk=pk)

    def act():
        if tick is not None and request.POST.get(tick[0]) != "yes":
            raise ValidationError(tick[1])
        action(request.user, inquiry.pk, request=request)

    flash_outcome(request, act, success)
    return redirect("families:inquiry_detail", pk=inquiry.pk)


@route("<int:pk>/link/<int:person_id>/")
@require_POST
def inquiry_link_candidate(request, pk, person_id):
    require_all(request, "families.change_inquiry", "registry.view_person")
    return _post_action(request, pk, lambda user, inquiry_id, request: services.link_inquiry(
        user, inquiry_id, person_id, request=request), _("The inquiry is linked."))


@route("<int:pk>/create-person/")
@require_POST
def inquiry_create_person(request, pk):
    require_all(request, "families.change_inquiry", "registry.add_person")
    return _post_action(request, pk, services.create_person_for_inquiry,
                        _("A new record was created in the register and the inquiry is linked to it."))


@route("<int:pk>/unlink/")
@require_POST
def inquiry_unlink(request, pk):
    return _post_action(request, pk, services.unlink_inquiry, _("The link was removed."))


@route("<int:pk>/close/")
@require_POST
def inquiry_close(request, pk):
    return _post_action(request, pk, services.close_inquiry, _("The inquiry is closed."))


@route("<int:pk>/told/")
@require_POST
def inquiry_told(request, pk):
    """A case worker or registrar records that the family was told of the death in person: from
    then on the portal may say it. Confirmed by a ticked box: it cannot be taken back."""
    return _post_action(request, pk, services.record_told_in_person,
                        _("Recorded: the family was told in person. The portal now says it."),
                        perm="families.tell_family", tick=("told", _("Tick that the family was told in person.")))


@route("<int:pk>/retry/")
@require_POST
def notification_retry(request, pk):
    require_all(request, "families.change_inquiry")
    inquiry = get_object_or_404(Inquiry, pk=pk)
    note = inquiry.notifications.filter(pk=request.POST.get("notification") or 0).first() \
        if str(request.POST.get("notification", "")).isascii() \
        and str(request.POST.get("notification", "")).isdigit() else None
    if note is None:
        messages.error(request, _("No such message."))
    else:
        flash_outcome(request, lambda: services.retry_notification(request.user, note.pk, request=request),
                      _("The message is queued again."))
    return redirect("families:inquiry_detail", pk=inquiry.pk)


@route("person/<int:person_id>/")
@never_cache
def person_inquiries(request, person_id):
    """The inquiries linked to one person (for a section or a link on the person page)."""
    require_all(request, "families.view_inquiry", "registry.view_person")
    person = registry_selectors.person_for_reading(actor(request), get_object_or_404(Person, pk=person_id),
                                                   via="families", request=request)
    items = [selectors.inquiry_for_reading(actor(request), inquiry, via="person", request=request)
             for inquiry in selectors.inquiries_for_person(person)]
    return render(request, "families/person_inquiries.html", {
        "person": person, "inquiries": items, "see_contacts": request.user.has_perm("registry.view_contacts"),
    })


@route("lockouts/")
@never_cache
def lockout_list(request):
    require_all(request, "families.view_inquiry")
    show = request.GET.get("show", "active")
    qs = selectors.lockouts(active_only=show != "all")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "families/lockout_list.html", {
        "page": page, "show": show, "can_change": request.user.has_perm("families.change_inquiry")})


@route("lockouts/<int:pk>/lift/")
@require_POST
def lockout_lift(request, pk):
    require_all(request, "families.change_inquiry")
    flash_outcome(request, lambda: services.lift_lockout(request.user, pk, request=request),
                  _("The lock-out is lifted."))
    return redirect("families:lockout_list")


# --- messages from families, for case workers -----------------------------------------------------

def _next_or(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@route("messages/", name="message_list")
@never_cache
def message_list(request):
    require_all(request, "families.view_familymessage")
    show = "queue" if request.GET.get("show") == "queue" else "mine"
    page = selectors.inbox_for_reading(actor(request), show, request.GET.get("page"), PAGE_SIZE, request=request)
    return render(request, "families/message_list.html", {
        "page": page, "show": show, "counts": selectors.unread_counts(request.user)})


@route("messages/<int:pk>/", name="message_detail")
@never_cache
@require_http_methods(["GET", "POST"])
def message_detail(request, pk):
    """A family's message with the whole exchange of its inquiry, and the reply form."""
    require_all(request, "families.view_familymessage")
    message = get_object_or_404(FamilyMessage.objects.select_related("inquiry__person", "recipient"), pk=pk,
                                sender=MessageFrom.FAMILY)
    form = MessageForm(request.POST or None, staff=True)
    status = 200
    if request.method == "POST":
        require_all(request, "families.change_familymessage")
        if form.is_valid():
            try:
                services.reply_to_family_message(request.user, message.pk, form.cleaned_data["body"],
                                                 request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your reply was sent: the family sees it on the portal."))
                return _next_or(request, reverse("families:message_detail", args=[message.pk]))
        status = 400
    thread = selectors.thread_for_reading(actor(request), message, request=request)
    return render(request, "families/message_detail.html", {
        "message": message, "thread": thread, "form": form, "can_answer": services.may_answer(request.user, message),
    }, status=status)


@route("messages/<int:pk>/read/", name="message_read")
@require_POST
def message_read(request, pk):
    require_all(request, "families.change_familymessage")
    message = get_object_or_404(FamilyMessage, pk=pk, sender=MessageFrom.FAMILY)
    flash_outcome(request, lambda: services.mark_family_message_read(request.user, message.pk, request=request),
                  _("The message is marked read."))
    return _next_or(request, reverse("families:message_detail", args=[message.pk]))
