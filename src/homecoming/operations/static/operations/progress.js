/* The progress bar of a background operation (templates/operations/_panel.html).
   Asks the status address every two seconds, moves the bar and its text, and reloads the page
   once the work has ended so that the page shows its result. No framework, no inline script
   (the Content-Security-Policy allows this site's own files only). */
(function () {
  "use strict";
  var panel = document.getElementById("operation");
  if (!panel || !panel.dataset.statusUrl) { return; }
  var bar = document.getElementById("operation-progress");
  var text = document.getElementById("operation-text");
  function show(status) {
    if (bar && status.total !== null) {
      bar.max = Math.max(status.total, 1);
      bar.value = status.processed;
      bar.textContent = status.percent + "%";
    }
    if (text) { text.textContent = status.text; }
  }
  function poll() {
    fetch(panel.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (status) {
        show(status);
        if (status.active) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
