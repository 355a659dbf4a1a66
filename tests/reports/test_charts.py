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
