// Shows the progress of an import task while it runs, and reloads the page when it is done.
// Without this script the page refreshes itself (a <noscript> refresh) and has a reload link.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (!state.running) { window.location.reload(); return; }
        if (state.total) {
          bar.value = state.percent;
          bar.textContent = state.percent + " %";
          text.textContent = state.done + " / " + state.total + " " + box.dataset.rowsLabel;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
