// The response queue without reloads: an action's form is sent in the background and
// its item leaves the list. Without JavaScript the same forms post and come back here.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-rq-form]") || !window.fetch) { return; }
    event.preventDefault();
    var item = form.closest(".rq-item");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { form.submit(); return; }  // let the server show the message
      return response.json().then(function (data) {
        var stays = /\/assign$/.test(form.action);
        if (stays) { window.location.reload(); return; }
        if (item) {
          item.classList.add("rq-done");
          item.textContent = data.message;
        }
      });
    }).catch(function () { form.submit(); });
  });
})();
