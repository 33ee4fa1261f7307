// Saves each answer of a questionnaire as it is chosen. Without this script the form still
// works: the button at the end saves everything.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave='on']");
  if (!form || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
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
      });
    }).catch(function () {
      if (state) { state.textContent = form.dataset.failed; }
    });
  });
})();
