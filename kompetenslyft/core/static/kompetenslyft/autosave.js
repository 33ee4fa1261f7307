// Saves each answer of a questionnaire as it is chosen. Without this script the form still
// works: the button at the end saves everything.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave='on']");
  if (!form || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var progress = document.querySelector("[data-answered-template]");
  // The "answered" counter follows the saved answers (without this script it is right after saving).
  function countAnswered() {
    if (!progress) { return; }
    var done = 0;
    form.querySelectorAll("fieldset").forEach(function (fieldset) {
      if (fieldset.querySelector("input[type=radio]:checked")) { done += 1; }
    });
    progress.textContent = progress.dataset.answeredTemplate.replace("__DONE__", String(done));
  }
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio") { return; }
    var fieldset = input.closest("fieldset");
    var state = fieldset && fieldset.querySelector(".save-state");
    var body = new FormData();
    body.append(input.name, input.value);
    fetch(form.action || window.location.href, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.text().then(function (text) {
        if (state) { state.textContent = response.ok ? form.dataset.saved : (text || form.dataset.failed); }
        if (response.ok) { countAnswered(); }
      });
    }).catch(function () {
      if (state) { state.textContent = form.dataset.failed; }
    });
  });
})();
