"""Learning the linkage model from reviewers' decisions (issue 18): the decided rows of incoming
lists re-estimate the engine's ``m`` and check its automatic thresholds
(:mod:`homecoming.linkage.learning`); the result is stored as a new, numbered
:class:`~homecoming.intake.models.LinkageModel` with who learnt it, when and from how many
decisions, and is the model the register's index uses from its next list on.  Any stored
version, or the built-in values (version 0), can be put back in use."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.linkage.learning import Learnt, learn

from .. import selectors
from ..models import LinkageModel
from .common import _require, _user

__all__ = ["learn_linkage_model", "use_linkage_model"]


def learn_linkage_model(actor, *, min_count: int = 30, pseudo: float = 200.0, dry_run: bool = False,
                        request=None) -> tuple[Learnt, LinkageModel | None]:
    """Re-estimate the model in use from every decided row and store it as the next version, in
    use at once; ``dry_run`` only computes it.  Nothing is stored when the decisions change
    nothing (too few of them): the answer's model is then ``None``."""
    _require(actor, "intake.learn_linkage")
    if min_count < 1 or pseudo < 0:
        raise ValidationError(_("The minimum count must be at least 1 and the pseudo-count not negative."))
    with transaction.atomic():
        current = LinkageModel.objects.select_for_update().filter(active=True).first()
        labels = selectors.decided_labels()
        learnt = learn(selectors.linkage_params(current), labels, min_count=min_count, pseudo=pseudo)
        details = {"labels": learnt.counts["labels"], "confirmed": learnt.counts["confirmed"],
                   "rejected": learnt.counts["rejected"], "min_count": min_count, "pseudo": pseudo,
                   "updated": learnt.counts["updated"], "thresholds": learnt.thresholds,
                   "from_version": current.version if current else 0, "dry_run": dry_run}
        if dry_run or not learnt.changed:
            record(actor, "linkage.learn", object_type="linkage_model", object_id="",
                   details={**details, "stored": False}, request=request)
            return learnt, None
        last = LinkageModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
        LinkageModel.objects.filter(active=True).update(active=False)
        user = _user(actor)
        model = LinkageModel.objects.create(
            version=last + 1, m=learnt.m, thresholds=learnt.thresholds, counts=learnt.counts, notes=learnt.notes,
            active=True, created_by=user, created_by_name=str(user.get_username() if user else actor)[:150])
        record(actor, "linkage.learn", object_type="linkage_model", object_id=model.version,
               details={**details, "stored": True}, request=request)
    return learnt, model


@transaction.atomic
def use_linkage_model(actor, version: int, *, request=None) -> LinkageModel | None:
    """Put a stored version back in use (``0``: the built-in values).  The register's index takes
    it at its next use."""
    _require(actor, "intake.learn_linkage")
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("A version is a whole number.")) from None
    model = None
    if version:
        model = LinkageModel.objects.select_for_update().filter(version=version).first()
        if model is None:
            raise ValidationError(_("There is no linkage model version %(version)s.") % {"version": version})
    previous = LinkageModel.objects.filter(active=True).values_list("version", flat=True).first() or 0
    LinkageModel.objects.filter(active=True).update(active=False)
    if model is not None:
        model.active = True
        model.save(update_fields=["active"])
    record(actor, "linkage.use_model", object_type="linkage_model", object_id=version,
           details={"previous": previous}, request=request)
    return model
