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
        var stays = data.stays || /\/assign$/.test(form.action);
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

// Select all on the page, and keyboard shortcuts for clearing the queue (the list of them
// is on the page). Nothing here acts while a field has the focus.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.closest("label").hidden = false;
      all.addEventListener("change", function () {
        document.querySelectorAll(".rq-check").forEach(function (box) { box.checked = all.checked; });
      });
    }
  });

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".rq-list .rq-item[data-comment-id]")); }
  function current() { return document.querySelector(".rq-item.is-current"); }
  function select(item) {
    var was = current();
    if (was) { was.classList.remove("is-current"); }
    if (!item) { return; }
    item.classList.add("is-current");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var list = items();
    if (!list.length) { return; }
    var index = list.indexOf(current());
    select(list[Math.max(0, Math.min(list.length - 1, index < 0 ? 0 : index + step))]);
  }
  function open(summaryText) {
    var item = current() || items()[0];
    if (!item) { return; }
    select(item);
    item.querySelectorAll("details.rq-action").forEach(function (details) {
      if (details.querySelector("summary").textContent.trim() === summaryText) {
        details.open = true;
        var field = details.querySelector("textarea, input:not([type=hidden]), select");
        if (field) { field.focus(); }
      }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var keys = {
      j: function () { move(1); },
      k: function () { move(-1); },
      r: function () { open("Reply"); },
      a: function () { open("Acknowledge"); },
      c: function () { open("No response needed"); },
      x: function () {
        var box = current() && current().querySelector(".rq-check");
        if (box) { box.checked = !box.checked; }
      },
      "?": function () {
        var help = document.querySelector(".rq-keys");
        if (help) { help.open = !help.open; }
      }
    };
    var action = keys[event.key];
    if (!action || !document.querySelector(".responses")) { return; }
    event.preventDefault();
    action();
  });
})();

// Never answering twice: an open reply box tells the server every half minute (it counts
// as open for two minutes after the last word), the page asks every 12 seconds who else
// is replying to the items it shows, and a saved reply goes in at the cursor with the
// customer's name filled in. Without JavaScript: "?reply=ID" and the "Insert" button.
(function () {
  "use strict";
  var BEAT = 30000, POLL = 12000;
  var beating = new Map();

  function token(el) {
    var form = el.closest("form");
    var input = form && form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function send(url, box) {
    if (!window.fetch) { return; }
    fetch(url, {
      method: "POST", headers: { "X-CSRFToken": token(box) }, credentials: "same-origin", keepalive: true
    }).catch(function () {});
  }
  function start(box) {
    if (!box || beating.has(box)) { return; }
    var csrf = token(box);
    send(box.dataset.heartbeat, box);
    beating.set(box, window.setInterval(function () {
      if (box.isConnected) { send(box.dataset.heartbeat, box); return; }
      // The item was answered, acknowledged or closed in place: the box is gone.
      window.clearInterval(beating.get(box));
      beating.delete(box);
      fetch(box.dataset.heartbeat + "/stop", {
        method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin"
      }).catch(function () {});
    }, BEAT));
  }
  function stop(box) {
    if (!box || !beating.has(box)) { return; }
    window.clearInterval(beating.get(box));
    beating.delete(box);
    send(box.dataset.heartbeat + "/stop", box);
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("rq-reply")) { return; }
    var box = details.querySelector("textarea[data-heartbeat]");
    if (details.open) { start(box); } else { stop(box); }
  }, true);

  function poll(root) {
    var markers = root.querySelectorAll("[data-replying-for]");
    if (!markers.length || document.hidden || !window.fetch) { return; }
    var ids = Array.prototype.map.call(markers, function (m) { return m.dataset.replyingFor; });
    var url = root.dataset.replyingPoll + "?ids=" + ids.slice(0, 500).join(",");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        markers.forEach(function (m) {
          var text = data.replying[m.dataset.replyingFor] || "";
          if (m.textContent !== text) { m.textContent = text; }  // aria-live reads the change
        });
      }).catch(function () {});
  }

  function fill(text, box) {
    var holder = box.closest("[data-name]") || box;
    var values = { name: holder.dataset.name || "", post: holder.dataset.post || "" };
    return text.replace(/\{(name|post)\}/g, function (_, key) { return values[key]; });
  }
  function insert(select) {
    var box = document.getElementById(select.dataset.savedFor);
    var option = select.options[select.selectedIndex];
    if (!box || !option || !option.value) { return; }
    var text = fill(option.dataset.text || "", box);
    var at = box.selectionStart, end = box.selectionEnd;
    if (typeof at !== "number") { at = end = box.value.length; }
    box.setRangeText(text, at, end, "end");  // plain text: nothing is parsed as HTML
    select.value = "";
    box.focus();
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-saved-for]")) { insert(event.target); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-no-js], [data-saved-insert]").forEach(function (el) { el.hidden = true; });
    document.querySelectorAll("textarea[data-heartbeat]").forEach(function (box) {
      var details = box.closest("details");
      if (!details || details.open) { start(box); }
    });
    var root = document.querySelector("[data-replying-poll]");
    if (root) {
      window.setInterval(function () { poll(root); }, POLL);
      document.addEventListener("visibilitychange", function () { poll(root); });
    }
  });
  window.addEventListener("pagehide", function () {
    beating.forEach(function (_, box) { stop(box); });
  });
})();
