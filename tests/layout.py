"""Clipping: what a page cuts off at a given window size, found in the browser.

:func:`clipped` runs in the page (Chromium through Playwright) and returns one line per finding,
naming the element (its tag, id and classes, and the start of its text) and what is wrong:

* **cut** - an element that hides its overflow (``overflow: hidden``/``clip``, ``text-overflow:
  ellipsis``) holds more than it shows (``scrollWidth > clientWidth``): a value cut off;
* **spills** - a box whose content is wider than the box itself (a long word or a wide child)
  while nothing lets it scroll: the text runs over its neighbours or off the page;
* **page scrolls sideways** - the document is wider than the window; the elements that reach past
  its right edge are named. A wide table or chart is allowed only inside an explicitly scrollable
  wrapper (``.table-wrap``, ``.chart-box``), which must show a scroll cue (its shadows);
* **chart** - a text of an SVG chart outside the chart's box (an axis label or legend cut off),
  two texts of one chart on top of each other, a text shortened with "…", or a text drawn smaller
  than 10 px on the screen (a chart squeezed until it cannot be read).

Hidden elements (``display: none``, the visually hidden labels for screen readers, the skip link)
are passed over: they are meant not to be seen.
"""

from __future__ import annotations

#: the window sizes every main page is checked at: two common laptop screens and a phone
SIZES = {"1280": (1280, 800), "1366": (1366, 768), "phone": (390, 844)}

#: wrappers that may scroll sideways on purpose (a wide table, a chart on a phone)
SCROLLERS = ".table-wrap, .chart-box"

_CHECK = r"""(scrollers) => {
  const found = [];
  const tol = 1;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) s += "." + cls.join(".");
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    return text ? `${s} “${text}”` : s;
  };
  const hidden = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden") return true;
      if (e.classList.contains("visually-hidden") || e.classList.contains("skip-link")) return true;
    }
    return false;
  };
  const scrolls = (cs) => ["auto", "scroll"].includes(cs.overflowX);
  const inScroller = (el) => !!(el.parentElement && el.parentElement.closest(scrollers));
  const all = Array.from(document.body.querySelectorAll("*"));
  for (const el of all) {
    if (el.closest("svg") || hidden(el)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === "inline" || cs.display === "contents") continue;
    const tag = el.tagName.toLowerCase();
    if (["option", "select", "input", "textarea", "script", "style", "br", "progress"].includes(tag)) continue;
    const over = el.scrollWidth - el.clientWidth > tol && el.clientWidth > 0;
    const cut = ["hidden", "clip"].includes(cs.overflowX) || cs.textOverflow === "ellipsis";
    if (over && cut) { found.push(`cut: ${name(el)} shows ${el.clientWidth} of ${el.scrollWidth} px`); continue; }
    if (over && !scrolls(cs) && !inScroller(el)) {
      // only the innermost box that overflows: its ancestors overflow because of it
      const child = Array.from(el.children).some(c => !c.closest("svg") && c.scrollWidth - c.clientWidth > tol
        && c.clientWidth > 0 && getComputedStyle(c).display !== "inline");
      if (!child) found.push(`spills: ${name(el)} is ${el.clientWidth} px wide, its content ${el.scrollWidth} px`);
    }
    if (el.matches(scrollers) && over && scrolls(cs) && !/gradient/.test(cs.backgroundImage))
      found.push(`no scroll cue: ${name(el)} scrolls sideways with no visible cue`);
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + tol) {
    const wide = all.filter(el => !hidden(el) && !el.closest("svg") && !inScroller(el)
      && el.getBoundingClientRect().right > doc.clientWidth + tol
      && !Array.from(el.children).some(c => c.getBoundingClientRect().right > doc.clientWidth + tol));
    found.push(`page scrolls sideways: ${doc.scrollWidth} px in a window of ${doc.clientWidth} px; ` +
               `past the edge: ${wide.slice(0, 4).map(name).join(", ") || "?"}`);
  }
  for (const svg of document.querySelectorAll("svg.chart")) {
    if (hidden(svg)) continue;
    const box = svg.getBoundingClientRect();
    const chart = svg.closest("[id]") ? "#" + svg.closest("[id]").id : "svg.chart";
    const texts = Array.from(svg.querySelectorAll("text")).filter(t => (t.textContent || "").trim());
    const rects = texts.map(t => t.getBoundingClientRect());
    texts.forEach((t, i) => {
      const r = rects[i], label = (t.textContent || "").trim().slice(0, 40);
      if (r.left < box.left - tol || r.right > box.right + tol || r.top < box.top - tol || r.bottom > box.bottom + tol)
        found.push(`chart ${chart}: “${label}” runs outside the chart`);
      if (/…$/.test(label)) found.push(`chart ${chart}: “${label}” is shortened`);
      const size = parseFloat(getComputedStyle(t).fontSize) * (box.width / (svg.viewBox.baseVal.width || box.width));
      if (size < 10) found.push(`chart ${chart}: “${label}” is drawn ${size.toFixed(1)} px high`);
    });
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = rects[i], b = rects[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > 2)
        found.push(`chart ${chart}: “${texts[i].textContent.trim().slice(0, 30)}” and ` +
                   `“${texts[j].textContent.trim().slice(0, 30)}” overlap`);
    }
  }
  return Array.from(new Set(found));
}"""


def clipped(page) -> list[str]:
    """What the page, as it stands in its window, cuts off or lets spill (see the module's text)."""
    return page.evaluate(_CHECK, SCROLLERS)
