"""Charts drawn on the server as SVG: no JavaScript, sharp on paper and on a screen.

Pure Python (no Django import): each function takes plain numbers and labels and returns the
SVG text. Every chart carries a ``<title>`` and a ``<desc>`` (its text alternative, read out by
screen readers through ``role="img"`` and ``aria-labelledby``); the page shows the same numbers
as a table beneath it. A value of ``None`` is a suppressed cell (too few persons to show): it is
drawn as an empty bar labelled with ``suppressed_text``.

* :func:`bar` - horizontal bars, one per label (categories with long names: branches, statuses);
* :func:`stacked_bar` - horizontal bars split into series (e.g. status groups per branch);
* :func:`time_bars` - vertical bars over time with an optional line (a running total) on its own scale;
* :func:`histogram` - a distribution over adjacent bins (time in captivity).
"""

from __future__ import annotations

import itertools
from html import escape

# Colours that stay apart on a screen, for colour-blind readers (Okabe-Ito) and in greyscale print
# (different lightness); every bar also carries its number as text.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
LINE_COLOUR = "#222222"
# presentation attributes, not a style attribute: the Content Security Policy blocks inline styles
SIZE = 12  # px, the text of every chart (small print is 11: nothing smaller)
SMALL = 11
FONT = f"font-family=\"system-ui,'DejaVu Sans',Arial,sans-serif\" font-size=\"{SIZE}\""

_ids = itertools.count(1)


def _num(v) -> str:
    return f"{v:,}".replace(",", "\u202f") if isinstance(v, int) else str(v)


def _open(width: int, height: int, title: str, desc: str, css_class: str) -> tuple[list[str], str]:
    n = next(_ids)
    tid, did = f"chart-title-{n}", f"chart-desc-{n}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{tid} {did}" {FONT}>',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
    ], tid


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1
    magnitude = 10 ** (len(str(int(v))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _segments(series: list[tuple[str, list]], i: int) -> tuple[list[tuple[int, str, float]], bool]:
    """The stacked values of label ``i``: (colour index, series name, value) of each value shown,
    and whether any value was suppressed (None: a small number hidden)."""
    shown = [(k, name, vals[i]) for k, (name, vals) in enumerate(series) if vals[i] is not None]
    return shown, len(shown) < len(series)


# --- measuring and wrapping text ------------------------------------------------------------------
# The server cannot ask a font how wide a text is, so it estimates, on the wide side: a label that is
# estimated too wide only wraps a line early, one estimated too narrow would run out of the chart.
_NARROW = set("ijl.,:;'!|()[]/ -· іїtfrI")
# digits are tabular (all as wide as a "0") in the fonts charts are set in; DejaVu Sans, Debian's
# default, sets them at 0.64 em, so "1" is not narrow and a label of dates and references is wider
# than letters of the same count (a transfer's "TR-0003 · 2025-06-11" ran 10 px outside its chart)
_DIGIT = 0.64
_WIDE = set("mwMWШЩЖЮФшщжюфмОQGDHNUCVАДМЦ%—")


def text_width(text: str, size: float = SIZE) -> float:
    """The estimated width in px of ``text`` set at ``size`` px in the chart's sans-serif font."""
    em = 0.0
    for ch in text:
        if ch.isdigit():
            em += _DIGIT
        elif ch in _NARROW:
            em += 0.34
        elif ch in _WIDE:
            em += 0.92
        elif ch.isupper():
            em += 0.72
        else:
            em += 0.6
    return em * size


def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """``text`` in lines no wider than ``width`` px, broken at spaces; a word wider than the line
    is broken inside (nothing is ever cut off or shortened)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        while text_width(word, size) > width and len(word) > 1:  # a word too long for any line
            cut = max(1, max(k for k in range(1, len(word) + 1) if text_width(word[:k], size) <= width or k == 1))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def _lines(x: float, y: float, lines: list[str], *, anchor: str = "start", size: float = SIZE,
           extra: str = "") -> str:
    """A <text> of several lines (one <tspan> each), the first line's baseline at ``y``."""
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_H(size):.1f}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    size_attr = f' font-size="{size:g}"' if size != SIZE else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{size_attr}{extra}>{spans}</text>'


def LINE_H(size: float = SIZE) -> float:  # noqa: N802 - reads as the constant it nearly is
    return round(size * 1.25, 1)


def _legend(names: list[str], *, x0: float, y0: float, width: float,
            line_last: bool = False) -> tuple[list[str], float]:
    """The legend: a swatch and the full name of each series, flowing left to right and wrapping
    onto as many rows as the names need (a name too long for a row wraps itself). Returns the
    SVG parts and the height used."""
    out: list[str] = []
    x, y, row_h = x0, y0, 0.0
    for k, name in enumerate(names):
        lines = wrap(name, width - 22)
        w = 22 + max(text_width(line) for line in lines)
        h = max(16.0, LINE_H() * len(lines) + 2)
        if x > x0 and x + w > x0 + width:
            x, y, row_h = x0, y + row_h + 4, 0.0
        if line_last and k == len(names) - 1:
            out.append(f'<line x1="{x:.1f}" y1="{y + 7:.1f}" x2="{x + 14:.1f}" y2="{y + 7:.1f}" stroke="{LINE_COLOUR}" '
                       f'stroke-width="2.5" stroke-dasharray="5 3"/>')
        else:
            out.append(f'<rect x="{x:.1f}" y="{y + 1:.1f}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(_lines(x + 18, y + 11, lines))
        x += w + 14
        row_h = max(row_h, h)
    return out, (y + row_h - y0) if names else 0.0


def describe(labels: list[str], values: list, suppressed_text: str = "<5") -> str:
    """"label: value; ..." - the plain text alternative of a one-series chart."""
    return "; ".join(f"{lab}: {suppressed_text if v is None else _num(v)}" for lab, v in zip(labels, values,
                                                                                        strict=True))


def bar(labels: list[str], values: list, *, title: str, desc: str = "", suppressed_text: str = "<5",
        width: int = 640) -> str:
    """Horizontal bars, one per label, each with its number at the end."""
    return stacked_bar(labels, [("", values)], title=title, desc=desc or describe(labels, values, suppressed_text),
                       suppressed_text=suppressed_text, width=width, legend=False)


def stacked_bar(labels: list[str], series: list[tuple[str, list]], *, title: str, desc: str = "",
                suppressed_text: str = "<5", width: int = 640, legend: bool = True) -> str:
    """Horizontal bars split into ``series`` [(name, values per label)]; the total at the end.
    Each label is written whole at the left of its bar, wrapped onto more lines when it is long
    (the row grows with it); the legend wraps onto more rows."""
    row_h, gap, top, pad = 22, 6, 8, 6
    totals = [sum(v or 0 for _n, vals in series for v in [vals[i]]) for i in range(len(labels))]
    value_texts = []
    for i in range(len(labels)):
        text = _num(totals[i])
        if _segments(series, i)[1]:
            text = suppressed_text if totals[i] == 0 else f"{text} + {suppressed_text}"
        value_texts.append(text)
    right = round(8 + max((text_width(t) for t in value_texts), default=0) + 4)
    widest = max((text_width(w) for lab in labels for w in lab.split()), default=0)
    longest = max((text_width(lab) for lab in labels), default=0)
    # the label column: as wide as the longest label, at most 40 % of the chart, never narrower
    # than its longest word (where that fits in half the chart)
    label_w = min(max(longest, 40), max(width * 0.4, min(widest, width * 0.5)))
    left = round(pad + label_w + 6)
    label_lines = [wrap(lab, label_w) for lab in labels]
    if not desc:
        desc = "; ".join(f"{lab}: " + ", ".join(
            f"{name} {suppressed_text if vals[i] is None else _num(vals[i])}" for name, vals in series)
            for i, lab in enumerate(labels))
    names = [name for name, _vals in series] if legend else []
    legend_parts, legend_h = _legend(names, x0=pad, y0=top, width=width - 2 * pad) if names else ([], 0)
    heights = [max(row_h, LINE_H() * len(lines) + 4) for lines in label_lines]
    height = int(top + legend_h + (6 if legend_h else 0) + (sum(heights) + gap * len(labels) if labels
                                                           else row_h + gap) + 8)
    out, _tid = _open(width, height, title, desc, "chart-bar")
    out += legend_parts
    scale_max = _nice_max(max(totals, default=0))
    plot_w = width - left - right
    y = top + legend_h + (6 if legend_h else 0)
    y_axis = y
    if not labels:
        out.append(f'<text x="{left}" y="{y + 15}">—</text>')
        y += row_h + gap
    for i, lines in enumerate(label_lines):
        h = heights[i]
        text_top = y + (h - LINE_H() * len(lines)) / 2
        out.append(_lines(left - 6, text_top + SIZE - 1, lines, anchor="end"))
        bar_y = y + (h - row_h) / 2
        x = left
        for k, _name, v in _segments(series, i)[0]:
            w = plot_w * v / scale_max
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{bar_y:.1f}" width="{w:.1f}" height="{row_h}" '
                           f'fill="{PALETTE[k % len(PALETTE)]}"/>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{bar_y + 15:.1f}">{escape(value_texts[i])}</text>')
        y += h + gap
    out.append(f'<line x1="{left:.1f}" y1="{y_axis:.1f}" x2="{left:.1f}" y2="{y:.1f}" stroke="#555"/>')
    out.append("</svg>")
    return "\n".join(out)


#: how far below the axis a turned label starts: clear of the lowest number of the axis beside it
TURNED_DROP = 18


def _axis_labels(labels: list[str], step: float) -> tuple[str, int, float, float]:
    """How the labels under a horizontal axis are written: ``("flat", every, height, 0)`` when
    each fits under its bar on one line or wrapped onto a few, else ``("turned", every, height,
    overhang)``, turned 45 degrees, every ``every``-th one (as many as fit side by side), needing
    ``height`` px below the axis and ``overhang`` px left of the first bar."""
    if not labels:
        return "flat", 1, 0.0, 0.0
    widest = max(text_width(lab, SMALL) for lab in labels)
    if widest <= step - 4:
        return "flat", 1, LINE_H(SMALL) + 4, 0.0
    longest_word = max(text_width(w, SMALL) for lab in labels for w in lab.split())
    lines = max(len(wrap(lab, step - 4, SMALL)) for lab in labels)
    if longest_word <= step - 4 and lines <= 4:
        return "flat", 1, LINE_H(SMALL) * lines + 4, 0.0
    # a turned label takes (its width + its height) x 0.71 across: every ``every``-th one, so that
    # not even their boxes touch
    diag = 0.7072
    across = (widest + LINE_H(SMALL)) * diag
    every = max(1, int(-(-(across + 4) // step)))
    return "turned", every, TURNED_DROP + across + 4, max(0.0, across - step / 2 + 2)


def _draw_axis_labels(out: list[str], labels: list[str], how: tuple, left: float, step: float, base: float) -> None:
    mode, every, _h, _o = how
    for i, label in enumerate(labels):
        if i % every:
            continue
        cx = left + i * step + step / 2
        if mode == "flat":
            out.append(_lines(cx, base + 4 + SMALL, wrap(label, step - 4, SMALL), anchor="middle", size=SMALL))
        else:
            y = base + TURNED_DROP
            out.append(f'<text x="{cx:.1f}" y="{y:.1f}" text-anchor="end" font-size="{SMALL}" '
                       f'transform="rotate(-45 {cx:.1f} {y:.1f})">{escape(label)}</text>')


def time_bars(labels: list[str], series: list[tuple[str, list]], *, title: str, desc: str = "",
              line: list | None = None, line_name: str = "", suppressed_text: str = "<5", width: int = 640,
              height: int = 280) -> str:
    """Vertical bars over time (one per label, oldest first), stacked by ``series`` [(name, values)],
    and, given ``line``, a dashed line on its own scale (at the right), e.g. the running total.
    The legend wraps onto as many rows as it needs; the labels under the axis are written whole:
    flat (wrapped) when they fit under their bar, else turned, as many as stand side by side."""
    names = [name for name, _v in series] + ([line_name] if line else [])
    if not desc:
        desc = "; ".join(f"{lab}: " + ", ".join(
            f"{name} {suppressed_text if vals[i] is None else _num(vals[i])}" for name, vals in series)
            + (f", {line_name} {_num(line[i]) if line[i] is not None else suppressed_text}" if line else "")
            for i, lab in enumerate(labels))
    totals = [sum(vals[i] or 0 for _n, vals in series) for i in range(len(labels))]
    vmax = _nice_max(max(totals, default=0))
    lmax = _nice_max(max((v or 0 for v in line), default=0)) if line else 0
    left = round(8 + text_width(_num(int(vmax))))
    right = round(12 + (text_width(_num(int(lmax))) + 4 if line else 0))
    n = max(1, len(labels))
    how = _axis_labels(labels, (width - left - right) / n)
    if how[3] > left - 4:  # a turned first label reaches further left than the axis numbers
        left = round(how[3] + 4)
        how = _axis_labels(labels, (width - left - right) / n)
    legend_parts, legend_h = _legend([nm for nm in names if nm], x0=8, y0=4, width=width - 16,
                                    line_last=bool(line and line_name))
    top = 4 + legend_h + 12
    bottom = how[2] + 4
    height = max(height, int(top + bottom + 140))
    out, _tid = _open(width, height, title, desc, "chart-time")
    out += legend_parts
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    step = plot_w / n
    bar_w = max(1.5, step * 0.7)
    out.append(f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{base:.1f}" stroke="#555"/>')
    out.append(f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" stroke="#555"/>')
    for frac in (0, 0.5, 1):
        yy = base - plot_h * frac
        out.append(f'<text x="{left - 4:.1f}" y="{yy + 4:.1f}" text-anchor="end">{_num(int(vmax * frac))}</text>')
    # the number above each bar, where every one of them fits above its bar
    show_totals = bool(labels) and max(text_width(_num(t), SMALL) for t in totals) <= step - 2
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar_w) / 2
        y = base
        shown, suppressed = _segments(series, i)
        for k, name, v in shown:
            h = plot_h * v / vmax
            if h > 0:
                out.append(f'<rect x="{x:.1f}" y="{y - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                           f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(label)}, {escape(name)}: '
                           f'{_num(v)}</title></rect>')
            y -= h
        mark = suppressed_text if suppressed else (_num(totals[i]) if show_totals else "")
        if mark and (suppressed or show_totals) and text_width(mark, SMALL) <= max(step - 2, 12):
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                       f'font-size="{SMALL}">{escape(mark)}</text>')
    _draw_axis_labels(out, labels, how, left, step, base)
    if line:
        points = [f"{left + i * step + step / 2:.1f},{base - plot_h * v / lmax:.1f}"
                  for i, v in enumerate(line) if v is not None]
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5" '
                   f'stroke-dasharray="5 3"/>')
        out.append(f'<line x1="{left + plot_w:.1f}" y1="{top:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" '
                   f'stroke="#555"/>')
        for frac in (0, 0.5, 1):
            yy = base - plot_h * frac
            out.append(f'<text x="{left + plot_w + 4:.1f}" y="{yy + 4:.1f}">{_num(int(lmax * frac))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def histogram(labels: list[str], values: list, *, title: str, desc: str = "", suppressed_text: str = "<5",
              width: int = 640, height: int = 240) -> str:
    """A distribution over adjacent bins (bars touching), each bin labelled under the axis
    (wrapped, or turned when the bins are too narrow for their labels)."""
    vmax = _nice_max(max((v or 0 for v in values), default=0))
    left, right, top = round(8 + text_width(_num(int(vmax)))), 12, 20
    n = max(1, len(labels))
    how = _axis_labels(labels, (width - left - right) / n)
    if how[3] > left - 4:
        left = round(how[3] + 4)
        how = _axis_labels(labels, (width - left - right) / n)
    bottom = how[2] + 4
    height = max(height, int(top + bottom + 120))
    out, _tid = _open(width, height, title, desc or describe(labels, values, suppressed_text), "chart-histogram")
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    step = plot_w / n
    out.append(f'<line x1="{left:.1f}" y1="{top}" x2="{left:.1f}" y2="{base:.1f}" stroke="#555"/>')
    for frac in (0, 0.5, 1):
        yy = base - plot_h * frac
        out.append(f'<text x="{left - 4:.1f}" y="{yy + 4:.1f}" text-anchor="end">{_num(int(vmax * frac))}</text>')
    for i, v in enumerate(values):
        x = left + i * step
        if v is None:
            out.append(f'<text x="{x + step / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle">'
                       f'{escape(suppressed_text)}</text>')
        else:
            h = plot_h * v / vmax
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[2]}" stroke="#fff"/>')
            out.append(f'<text x="{x + step / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">{_num(v)}</text>')
    _draw_axis_labels(out, labels, how, left, step, base)
    out.append(f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" stroke="#555"/>')
    out.append("</svg>")
    return "\n".join(out)
