// Counts a new self-assessment's target group as units and roles are checked. Without this
// script the "Count the target group" button shows the same count.
(function () {
  "use strict";
  var form = document.getElementById("campaign-form");
  var output = document.getElementById("target-count");
  if (!form || !output || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var pending = null;
  function count() {
    var body = new FormData();
    form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      body.append(box.name, box.value);
    });
    fetch(form.dataset.countUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { output.textContent = data.text; }
    }).catch(function () { /* the button still counts */ });
  }
  form.addEventListener("change", function (event) {
    if (event.target.type !== "checkbox") { return; }
    window.clearTimeout(pending);
    pending = window.setTimeout(count, 250);
  });
})();
