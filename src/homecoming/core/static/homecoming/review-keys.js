/* Keyboard shortcuts of the review queues (intake/list_review.html, exchanges/exchange_detail.html).

   j or n: next row; k or p: previous row; a: confirm the chosen person of the current row;
   r: reject it; x: choose it for a bulk reject; ?: show or hide the help line.
   The keys only press the row's own buttons, so the page works the same without this script,
   and they never act while a person types in a field or holds a modifier key. Loaded as a file
   (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  var queue = document.querySelector("[data-review-keys]");
  if (!queue) { return; }
  var help = document.getElementById("review-keys-help");
  var current = -1;

  function rows() { return Array.prototype.slice.call(queue.querySelectorAll(".row-card")); }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function go(step) {
    var all = rows();
    if (!all.length) { return; }
    var focused = all.indexOf(document.activeElement);
    if (focused !== -1) { current = focused; }
    current = Math.max(0, Math.min(all.length - 1, current + step));
    all.forEach(function (row) { row.classList.remove("row-current"); });
    all[current].classList.add("row-current");
    all[current].focus();
  }

  function press(selector) {
    var all = rows();
    var focused = all.indexOf(document.activeElement);
    var row = all[focused !== -1 ? focused : current];
    if (!row) { return; }
    var button = row.querySelector(selector);
    if (button) { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var actions = {
      "j": function () { go(1); }, "n": function () { go(1); },
      "k": function () { go(-1); }, "p": function () { go(-1); },
      "a": function () { press(".accept-button"); },
      "r": function () { press(".reject-button"); },
      "x": function () { press(".bulk-choice input"); },
      "?": function () { if (help) { help.hidden = !help.hidden; } }
    };
    var action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}());
