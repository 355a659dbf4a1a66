"""Exports of the register (filtered) and of incoming lists: CSV, XLSX (optionally with an HXL
hashtag row) and a printable PDF with Cyrillic text (reportlab with DejaVu Sans).

Every cell that a spreadsheet could read as a formula, whole or split on any delimiter, is
neutralised with an apostrophe (:func:`homecoming.common.cells.neutralise`). Exports are
permission-checked (``intake.export_register``), audited, and leave out the fields the role may not read.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.cells import neutralise
from homecoming.registry.models import Person
from homecoming.registry.selectors import RegisterFilters, can_see, filter_persons

from .models import IncomingList

PDF_MAX_ROWS = 5000
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass
class Column:
    key: str
    label: str
    hxl: str
    field: str = ""  # the person field whose visibility decides (registry.selectors.can_see)


def register_columns(user) -> list[Column]:
    cols = [
        Column("reference", _("Reference"), "#person+code"),
        Column("last_name", _("Last name"), "#person+name+last"),
        Column("first_name", _("First name"), "#person+name+first"),
        Column("patronymic", _("Patronymic"), "#person+name+patronymic"),
        Column("birth_date", _("Date of birth"), "#date+birth"),
        Column("sex", _("Sex"), "#person+sex"),
        Column("service_number", _("Service number"), "#person+id+service"),
        Column("status", _("Status"), "#status"),
        Column("status_date", _("Status since"), "#date+status"),
        Column("branch", _("Branch"), "#org+branch"),
        Column("unit", _("Unit"), "#org+unit"),
        Column("rank", _("Rank"), "#person+rank"),
        Column("incident_date", _("Date of disappearance or capture"), "#date+incident"),
        Column("incident_place", _("Place of disappearance or capture"), "#loc+incident"),
        Column("direction", _("Front direction"), "#region+front"),
        Column("medical_category", _("Medical category"), "#severity+medical"),
        Column("medical_notes", _("Medical notes"), "#description+medical", "medical_notes"),
        Column("family_contacts", _("Family contacts"), "#contact+family", "family_contacts"),
    ]
    return [c for c in cols if not c.field or can_see(user, c.field)]


def _person_values(p: Person) -> dict:
    return {
        "reference": p.reference, "last_name": p.last_name, "first_name": p.first_name,
        "patronymic": p.patronymic,
        "birth_date": (p.birth_date.isoformat()[:4] if p.birth_date_precision == "year" else
                       p.birth_date.isoformat()[:7] if p.birth_date_precision == "month" else
                       p.birth_date.isoformat()) if p.birth_date else "",
        "sex": p.get_sex_display() if p.sex != "unknown" else "", "service_number": p.service_number,
        "status": p.get_current_status_display() if p.current_status else "",
        "status_date": p.current_status_date.isoformat() if p.current_status_date else "",
        "branch": p.branch.name if p.branch_id else "", "unit": p.unit, "rank": p.rank.name if p.rank_id else "",
        "incident_date": p.incident_date.isoformat() if p.incident_date else "", "incident_place": p.incident_place,
        "direction": p.direction.name if p.direction_id else "",
        "medical_category": p.get_medical_category_display() if p.medical_category != "none" else "",
        "medical_notes": p.medical_notes, "family_contacts": p.family_contacts,
    }


def list_columns() -> list[Column]:
    return [
        Column("row", _("Row"), "#meta+row"),
        Column("name", _("Name in the list"), "#person+name"),
        Column("birth_date", _("Date of birth in the list"), "#date+birth"),
        Column("service_number", _("Service number in the list"), "#person+id+service"),
        Column("linkage", _("Linkage"), "#status+linkage"),
        Column("state", _("Decision"), "#status+decision"),
        Column("reference", _("Person in the register"), "#person+code"),
        Column("register_name", _("Name in the register"), "#person+name+register"),
        Column("probability", _("Probability"), "#indicator+probability"),
    ]


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    rows: int


def _write(fmt: str, title: str, cols: list[Column], rows: list[list], hxl: bool) -> bytes:
    header = [c.label for c in cols]
    tags = [c.hxl for c in cols]
    safe = [[neutralise(v) for v in r] for r in rows]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([neutralise(h) for h in header])
        if hxl:
            w.writerow(tags)
        w.writerows(safe)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(title, header, tags if hxl else None, safe)
    if fmt == "pdf":
        return _pdf(title, header, safe)
    raise ValidationError(_("Choose CSV, XLSX or PDF."))


def _xlsx(title: str, header: list[str], tags, rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "export")
    ws.append([neutralise(h) for h in header])
    if tags:
        ws.append(tags)
    for r in rows:
        # all text, neutralised: openpyxl writes a str beginning with "=" as a formula otherwise; a
        # control character (refused on the way in, but older records may hold one) is shown as "\ufffd"
        ws.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _font() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for d in FONT_DIRS:
        regular, bold = os.path.join(d, "DejaVuSans.ttf"), os.path.join(d, "DejaVuSans-Bold.ttf")
        if os.path.exists(regular):
            if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("DejaVuSans", regular))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold if os.path.exists(bold) else regular))
            return "DejaVuSans", "DejaVuSans-Bold"
    raise ValidationError(_("No font with Cyrillic letters is installed on the server (fonts-dejavu-core); "
                            "export as CSV or XLSX instead."))


def _pdf(title: str, header: list[str], rows: list[list[str]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    if len(rows) > PDF_MAX_ROWS:
        raise ValidationError(_("A PDF holds at most %(n)s rows; narrow the filter or export as CSV or XLSX.")
                              % {"n": PDF_MAX_ROWS})
    font, bold = _font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=8.5)
    head = ParagraphStyle("head", fontName=bold, fontSize=7, leading=8.5)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=13, leading=16)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10)

    def para(text, style):
        from xml.sax.saxutils import escape

        return Paragraph(escape(text), style)

    data = [[para(h, head) for h in header]] + [[para(v, cell) for v in r] for r in rows]
    table = LongTable(data, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=10 * mm, bottomMargin=10 * mm, title=title)
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    doc.build([para(title, h1), para(_("Printed %(when)s. %(n)s rows. Sensitive: do not leave unattended.")
                                     % {"when": printed, "n": len(rows)}, small), Spacer(1, 4 * mm), table])
    return buf.getvalue()


def export_register(actor, filters: RegisterFilters, fmt: str, *, hxl: bool = False, request=None) -> ExportFile:
    if not actor.has_perm("intake.export_register"):
        raise PermissionDenied(_("You do not have the permission to do this."))
    cols = register_columns(actor)
    persons = filter_persons(filters).select_related("branch", "rank", "direction")
    if fmt == "pdf":
        persons = persons[:PDF_MAX_ROWS + 1]
    rows = []
    for p in persons.iterator(chunk_size=2000):
        v = _person_values(p)
        rows.append([v[c.key] for c in cols])
    title = _("Register extract")
    content = _write(fmt, title, cols, rows, hxl)
    record(actor, "register.export", object_type="register", object_id="",
           details={"format": fmt, "hxl": hxl, "rows": len(rows), "columns": [c.key for c in cols],
                    "filters": {k: str(v) for k, v in vars(filters).items() if v not in (None, "", False)}},
           request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(content, CONTENT_TYPES[fmt], f"register-{stamp}.{fmt}", len(rows))


def export_list(actor, list_id: int, fmt: str, *, hxl: bool = False, request=None) -> ExportFile:
    if not (actor.has_perm("intake.export_register") and actor.has_perm("intake.view_incominglist")):
        raise PermissionDenied(_("You do not have the permission to do this."))
    lst = IncomingList.objects.get(pk=list_id)
    cols = list_columns()
    rows = []
    for r in lst.rows.select_related("person").order_by("row_number").iterator(chunk_size=2000):
        d = r.data
        prob = r.candidates[0]["probability"] if r.candidates else ""
        if r.person_id and r.candidates:
            prob = next((c["probability"] for c in r.candidates if c["person_id"] == r.person_id), "")
        rows.append([
            str(r.row_number), r.name, d.get("birth_date", "")[:4] if d.get("birth_date_precision") == "year"
            else d.get("birth_date", ""), d.get("service_number", ""), r.get_decision_display(),
            r.get_state_display(), r.person.reference if r.person_id else "",
            r.person.full_name if r.person_id else "", f"{prob:.4f}" if isinstance(prob, float) else str(prob),
        ])
    content = _write(fmt, lst.title, cols, rows, hxl)
    record(actor, "list.export", object_type="incoming_list", object_id=lst.pk,
           details={"format": fmt, "hxl": hxl, "rows": len(rows)}, request=request)
    return ExportFile(content, CONTENT_TYPES[fmt], f"list-{lst.pk}-{lst.list_date.isoformat()}.{fmt}", len(rows))
