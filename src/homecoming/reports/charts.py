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
FONT = "font-family=\"system-ui,'DejaVu Sans',Arial,sans-serif\" font-size=\"12\""

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


def _clip(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
    """Horizontal bars split into ``series`` [(name, values per label)]; the total at the end."""
    row_h, gap, left, right, top = 22, 6, 210, 70, 8
    legend_h = 22 if legend and series else 0
    height = top + legend_h + max(1, len(labels)) * (row_h + gap) + 8
    if not desc:
        desc = "; ".join(f"{lab}: " + ", ".join(
            f"{name} {suppressed_text if vals[i] is None else _num(vals[i])}" for name, vals in series)
            for i, lab in enumerate(labels))
    out, _tid = _open(width, height, title, desc, "chart-bar")
    totals = [sum(v or 0 for _n, vals in series for v in [vals[i]]) for i in range(len(labels))]
    scale_max = _nice_max(max(totals, default=0))
    plot_w = width - left - right
    y = top
    if legend_h:
        x = left
        for k, (name, _vals) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            out.append(f'<rect x="{x}" y="{y + 3}" width="12" height="12" fill="{colour}"/>')
            out.append(f'<text x="{x + 16}" y="{y + 13}">{escape(name)}</text>')
            x += 24 + 7 * len(name)
        y += legend_h
    if not labels:
        out.append(f'<text x="{left}" y="{y + 15}">—</text>')
    for i, label in enumerate(labels):
        out.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end"><title>{escape(label)}</title>'
                   f'{escape(_clip(label))}</text>')
        x = left
        shown, any_suppressed = _segments(series, i)
        for k, _name, v in shown:
            w = plot_w * v / scale_max
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                           f'fill="{PALETTE[k % len(PALETTE)]}"/>')
            x += w
        text = _num(totals[i])
        if any_suppressed:
            text = suppressed_text if totals[i] == 0 else f"{text} + {suppressed_text}"
        out.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{escape(text)}</text>')
        y += row_h + gap
    out.append(f'<line x1="{left}" y1="{top + legend_h}" x2="{left}" y2="{y}" stroke="#555"/>')
    out.append("</svg>")
    return "\n".join(out)


def time_bars(labels: list[str], series: list[tuple[str, list]], *, title: str, desc: str = "",
              line: list | None = None, line_name: str = "", suppressed_text: str = "<5", width: int = 640,
              height: int = 280) -> str:
    """Vertical bars over time (one per label, oldest first), stacked by ``series`` [(name, values)],
    and, given ``line``, a dashed line on its own scale (at the right), e.g. the running total."""
    left, right, top, bottom = 48, 56 if line else 12, 8, 58
    names = [name for name, _v in series] + ([line_name] if line else [])
    legend_rows = (len(names) + 3) // 4 if any(names) else 0
    top += 18 * legend_rows
    if not desc:
        desc = "; ".join(f"{lab}: " + ", ".join(
            f"{name} {suppressed_text if vals[i] is None else _num(vals[i])}" for name, vals in series)
            + (f", {line_name} {_num(line[i]) if line[i] is not None else suppressed_text}" if line else "")
            for i, lab in enumerate(labels))
    out, _tid = _open(width, height, title, desc, "chart-time")
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    totals = [sum(vals[i] or 0 for _n, vals in series) for i in range(len(labels))]
    vmax = _nice_max(max(totals, default=0))
    n = max(1, len(labels))
    step = plot_w / n
    bar_w = max(1.5, step * 0.7)
    for k, name in enumerate(names):
        lx, ly = left + (k % 4) * 150, 4 + 18 * (k // 4)
        if line and k == len(names) - 1:
            out.append(f'<line x1="{lx}" y1="{ly + 6}" x2="{lx + 14}" y2="{ly + 6}" stroke="{LINE_COLOUR}" '
                       f'stroke-width="2.5" stroke-dasharray="5 3"/>')
        else:
            out.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(f'<text x="{lx + 18}" y="{ly + 10}">{escape(_clip(name, 22))}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555"/>')
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>')
    for frac in (0, 0.5, 1):
        yy = base - plot_h * frac
        out.append(f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end">{_num(int(vmax * frac))}</text>')
    every = max(1, (n + 11) // 12)  # at most about 12 labels under the axis
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
        if suppressed:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                       f'font-size="10">{escape(suppressed_text)}</text>')
        elif n <= 24:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                       f'font-size="10">{_num(totals[i])}</text>')
        if i % every == 0:
            cx = x + bar_w / 2
            out.append(f'<text x="{cx:.1f}" y="{base + 12}" text-anchor="end" font-size="10" '
                       f'transform="rotate(-40 {cx:.1f} {base + 12})">{escape(_clip(label, 16))}</text>')
    if line:
        lmax = _nice_max(max((v or 0 for v in line), default=0))
        points = [f"{left + i * step + step / 2:.1f},{base - plot_h * v / lmax:.1f}"
                  for i, v in enumerate(line) if v is not None]
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5" '
                   f'stroke-dasharray="5 3"/>')
        out.append(f'<line x1="{left + plot_w}" y1="{top}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>')
        for frac in (0, 0.5, 1):
            yy = base - plot_h * frac
            out.append(f'<text x="{left + plot_w + 4}" y="{yy + 4:.1f}">{_num(int(lmax * frac))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def histogram(labels: list[str], values: list, *, title: str, desc: str = "", suppressed_text: str = "<5",
              width: int = 640, height: int = 240) -> str:
    """A distribution over adjacent bins (bars touching), each bin labelled under the axis."""
    left, right, top, bottom = 48, 12, 14, 44
    out, _tid = _open(width, height, title, desc or describe(labels, values, suppressed_text), "chart-histogram")
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    vmax = _nice_max(max((v or 0 for v in values), default=0))
    n = max(1, len(labels))
    step = plot_w / n
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555"/>')
    for frac in (0, 0.5, 1):
        yy = base - plot_h * frac
        out.append(f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end">{_num(int(vmax * frac))}</text>')
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x = left + i * step
        if v is None:
            out.append(f'<text x="{x + step / 2:.1f}" y="{base - 4}" text-anchor="middle">'
                       f'{escape(suppressed_text)}</text>')
        else:
            h = plot_h * v / vmax
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[2]}" stroke="#fff"/>')
            out.append(f'<text x="{x + step / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">{_num(v)}</text>')
        out.append(f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="11">'
                   f'{escape(label)}</text>')
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>')
    out.append("</svg>")
    return "\n".join(out)
