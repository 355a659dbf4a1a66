/* The rule editor of forms, made quicker (the page works without this script: see
   exchanges/rulebuilder.py). Two things only:
   1. a condition shows the inputs that fit its field and condition, and offers that field's
      conditions and values (read from the page's #rule-vocabulary, which the server writes from the
      rule engine), without a round trip;
   2. the preview ("who would be eligible") is refreshed after each change, by posting the form as
      the "Check" button does and putting the answer's preview in place.
   A static file, no inline code: the Content Security Policy allows scripts from this site only. */
(function () {
  "use strict";
  var source = document.getElementById("rule-vocabulary");
  var form = document.querySelector("form.category-form");
  if (!source || !form) { return; }
  var vocabulary = JSON.parse(source.textContent);

  function part(row, name) { return row.querySelector('[data-part="' + name + '"]'); }
  function input(row, name) { return row.querySelector('[name="' + row.dataset.prefix + "-" + name + '"]'); }

  function shape(op) { return op === "in" || op === "not in" ? "list" : op === "between" ? "range" : "one"; }

  function shown(subject, op) {
    var info = vocabulary.subjects[subject];
    if (!info) { return ["subject", "date", "op", "value", "values", "number", "high", "numbers"]; }
    if (info.kind === "number") {
      return ["subject", "date", "op"].concat({one: ["number"], range: ["number", "high"], list: ["numbers"]}[shape(op)]);
    }
    return ["subject", "op", shape(op) === "list" ? "values" : "value"];
  }

  function fill(select, choices, blank) {
    var keep = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
    select.textContent = "";
    if (blank) { select.add(new Option("—", "")); }
    choices.forEach(function (c) { select.add(new Option(c[1], c[0], false, keep.indexOf(c[0]) >= 0)); });
  }

  function update(row, subjectChanged) {
    var subject = input(row, "subject").value, op = input(row, "op");
    var info = vocabulary.subjects[subject];
    if (subjectChanged) {
      var ops = (info ? info.ops : Object.keys(vocabulary.ops)).map(function (o) { return [o, vocabulary.ops[o]]; });
      fill(op, ops, true);
      var values = info ? info.values : [];
      fill(input(row, "value"), values, true);
      fill(input(row, "values"), values, false);
    }
    var visible = shown(subject, op.value);
    ["subject", "date", "op", "value", "values", "number", "high", "numbers"].forEach(function (name) {
      var p = part(row, name);
      if (p) { p.hidden = visible.indexOf(name) < 0; }
    });
  }

  var timer = null, pending = null;
  function refreshPreview() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var body = new FormData(form);
    body.append("check", "1");
    fetch(form.action || window.location.href, {method: "POST", body: body, credentials: "same-origin",
                                                signal: pending.signal})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var answer = new DOMParser().parseFromString(html, "text/html");
        var fresh = answer.getElementById("rule-preview-area");
        var area = document.getElementById("rule-preview-area");
        if (fresh && area) { area.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* an aborted or failed refresh: the Check button still works */ });
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest(".rule-row");
    if (row) {
      var name = event.target.name || "";
      update(row, name === row.dataset.prefix + "-subject");
    }
    if (event.target.closest("#rule-builder")) {
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshPreview, 400);
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".rule-row"), function (row) { update(row, false); });
}());
