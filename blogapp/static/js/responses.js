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

// Similar earlier answers: fetched into the reply box when it opens (without JavaScript
// the box holds a link to a page with the same panel), and any of them can start a reply.
(function () {
  "use strict";
  function load(details) {
    var slot = details.querySelector("[data-similar-for]");
    if (!slot || slot.dataset.loaded || !window.fetch) { return; }
    slot.dataset.loaded = "loading";
    fetch(slot.dataset.src, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      slot.innerHTML = html;  // our own server's rendering, escaped there
      slot.querySelectorAll("[data-use-for]").forEach(function (b) { b.hidden = false; });
      slot.dataset.loaded = "yes";
    }).catch(function () { delete slot.dataset.loaded; });  // the link stays; try again later
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.open) { load(event.target); }
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details[open]").forEach(load);
    document.querySelectorAll("[data-use-for]").forEach(function (b) { b.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-for]");
    if (!button) { return; }
    var box = document.getElementById(button.dataset.useFor);
    if (!box) { return; }
    box.value = box.value.trim() ? box.value.replace(/\s*$/, "\n\n") + button.dataset.text : button.dataset.text;
    box.focus();
  });
})();
