"""The SVG chart functions: text alternatives, suppressed cells, escaping, scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from homecoming.reports import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return ET.fromstring(svg)  # noqa: S314 - our own output, in a test


def test_every_chart_is_an_image_with_title_and_description():
    for svg in (
        charts.bar(["a", "b"], [3, 7], title="Bars"),
        charts.stacked_bar(["a"], [("x", [1]), ("y", [2])], title="Stacked"),
        charts.time_bars(["2025-01", "2025-02"], [("n", [1, 2])], line=[1, 3], line_name="total", title="Time"),
        charts.histogram(["0–1", "1–2"], [4, 5], title="Histogram"),
    ):
        root = parse(svg)
        assert root.get("role") == "img"
        title, desc = root.find("s:title", NS), root.find("s:desc", NS)
        assert title is not None and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        # the Content Security Policy (style-src 'self') blocks style attributes: none anywhere
        assert not [el.tag for el in root.iter() if "style" in el.attrib]


def test_bar_lengths_follow_the_values_and_the_description_lists_them():
    root = parse(charts.bar(["small", "large"], [10, 40], title="T"))
    widths = [float(r.get("width")) for r in root.findall("s:rect", NS)]
    assert widths[1] == 4 * widths[0]
    assert root.find("s:desc", NS).text == "small: 10; large: 40"


def test_suppressed_cells_draw_no_bar_and_say_so():
    svg = charts.bar(["hidden", "shown"], [None, 12], title="T")
    root = parse(svg)
    assert len(root.findall("s:rect", NS)) == 1
    assert "hidden: <5" in root.find("s:desc", NS).text
    assert any(t.text == "<5" for t in root.findall("s:text", NS))
    hist = parse(charts.histogram(["a", "b"], [None, 3], title="T"))
    assert len(hist.findall("s:rect", NS)) == 1


def test_labels_are_escaped():
    svg = charts.bar(['<script>alert("x")</script>'], [1], title="a & b")
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find("s:title", NS).text == "a & b"


def test_the_running_total_is_a_line_on_its_own_scale():
    root = parse(charts.time_bars(["1", "2", "3"], [("n", [5, 5, 5])], line=[5, 10, 15], line_name="total",
                                  title="T"))
    points = root.find("s:polyline", NS).get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] > ys[1] > ys[2]  # rising


def test_empty_charts_are_still_valid():
    for svg in (charts.bar([], [], title="T"), charts.time_bars([], [("n", [])], title="T"),
                charts.histogram([], [], title="T")):
        parse(svg)


# --- long labels (issue 19): written whole, wrapped, inside the chart, never on top of each other ----------

LONG = ["Національна гвардія України (оперативне призначення)", "Державна прикордонна служба України",
        "Військово-морські сили Збройних сил України", "Сили територіальної оборони Збройних сил України"]
SERIES = ["Зникли безвісти або в полоні (невідомо)", "Полон підтверджено Міжнародним комітетом Червоного Хреста",
          "Повернулися додому під час обміну", "Звільнені в інший спосіб", "Знайдені", "Загинули"]


def _texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{{{NS['s']}}}text")]


def _boxes(root):
    """Each text's estimated box (left, top, right, bottom) in the chart's coordinates, by the same
    estimate of widths the charts use; turned texts (the axis under time bars) are left out."""
    boxes = []
    for t in root.iter(f"{{{NS['s']}}}text"):
        if t.get("transform"):
            continue
        size = float(t.get("font-size") or charts.SIZE)
        lines = [s.text or "" for s in t.findall("s:tspan", NS)] or [t.text or ""]
        x, y = float(t.get("x")), float(t.get("y"))
        w = max(charts.text_width(line, size) for line in lines)
        left = {"end": x - w, "middle": x - w / 2}.get(t.get("text-anchor"), x)
        boxes.append(("".join(t.itertext()), left, y - size, left + w, y + charts.LINE_H(size) * (len(lines) - 1) + 3))
    return boxes


def _assert_readable(svg: str, words: list[str]):
    root = parse(svg)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    shown = " ".join(_texts(root))
    for text in words:  # every label and series name whole: no "…", every word of it written
        for word in text.split():
            assert word in shown, (word, shown[:300])
    assert "…" not in shown
    boxes = _boxes(root)
    for text, left, top, right, bottom in boxes:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, (text, left, right, width)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a[3], b[3]) - max(a[1], b[1]), min(a[4], b[4]) - max(a[2], b[2])
            assert overlap[0] <= 1 or overlap[1] <= 1, (a, b)


def test_long_ukrainian_labels_and_legends_are_wrapped_not_cut():
    values = [[1200, 35, 7, 2], [300, 12, 0, 9], [80, 40, 2, 1], [5, 6, 7, 8], [1, 2, 3, 4], [9, 9, 9, 9]]
    svg = charts.stacked_bar(LONG, list(zip(SERIES, values, strict=True)), title="За родом військ")
    _assert_readable(svg, LONG + SERIES)
    _assert_readable(charts.bar(LONG, [10, 20000, 3, None], title="T"), LONG)


def test_time_axis_labels_and_legend_are_whole():
    stages = [f"2025-06-{d:02d} · Стамбул, 2 червня 2025 року (друга частина) · {i}" for i, d in
              enumerate((5, 12, 26), start=1)]
    svg = charts.time_bars(stages, [("Повернулися", [390, 307, 303])], line=[390, 697, 1000],
                           line_name="Усього повернулося з початку обмінів", title="T")
    _assert_readable(svg, stages + ["Усього повернулося з початку обмінів"])
    months = [f"{y}-{m:02d}" for y in range(2022, 2026) for m in range(1, 13)]
    svg = charts.time_bars(months, [(s, [7] * len(months)) for s in SERIES], title="T")
    root = parse(svg)
    _assert_readable(svg, SERIES)
    turned = [t for t in root.iter(f"{{{NS['s']}}}text") if t.get("transform")]
    assert turned and all("…" not in (t.text or "") and t.text in months for t in turned)


def test_histogram_bins_with_long_names_are_wrapped():
    bins = ["менше ніж три місяці", "від трьох до шести місяців", "від шести місяців до року",
            "від одного до двох років", "від двох до трьох років", "понад три роки"]
    _assert_readable(charts.histogram(bins, [10, 200, 3000, None, 5, 60], title="T"), bins)


def test_wrap_breaks_at_spaces_and_only_breaks_a_word_too_long_for_any_line():
    assert charts.wrap("Державна прикордонна служба України", 120) == ["Державна", "прикордонна", "служба України"]
    long_word = "Найдовшесловоякенеможепоміститисявжоднурядок"
    lines = charts.wrap(long_word, 80)
    assert "".join(lines) == long_word and all(charts.text_width(x) <= 80 for x in lines)
