// Comments: open the reply form in place under a comment, and preview without leaving the page.
// Without JavaScript the same links and buttons go to the reply page and the preview page.
(function () {
  "use strict";

  function mainForm() {
    return document.getElementById("comment-form");
  }

  function renameIds(form, suffix) {
    form.querySelectorAll("[id]").forEach(function (el) {
      el.id = el.id + suffix;
    });
    form.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = label.htmlFor + suffix;
    });
    form.querySelectorAll("[aria-describedby]").forEach(function (el) {
      el.setAttribute("aria-describedby", el.getAttribute("aria-describedby") + suffix);
    });
  }

  function resetForm(form) {
    form.querySelectorAll(".error, .form-alert").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".field-error").forEach(function (el) { el.classList.remove("field-error"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var body = form.querySelector("textarea");
    if (body) { body.value = ""; }
    var preview = form.querySelector(".comment-preview");
    if (preview) { preview.hidden = true; }
  }

  function openReply(link) {
    var source = mainForm();
    if (!source) { return false; }
    var id = link.getAttribute("data-reply-to");
    var comment = document.getElementById("c" + id);
    var slot = comment && comment.querySelector(".reply-slot");
    if (!slot) { return false; }
    var open = slot.querySelector("form");
    if (open) { open.querySelector("textarea").focus(); return true; }
    var form = source.cloneNode(true);
    renameIds(form, "-r" + id);
    resetForm(form);
    form.classList.add("in-place-reply");
    form.querySelector("input[name=parent_id]").value = id;
    form.querySelector(".comment-form-title").textContent = "Reply to " + link.getAttribute("data-reply-name");
    var cancel = form.querySelector(".cancel-reply");
    cancel.hidden = false;
    cancel.addEventListener("click", function (event) {
      event.preventDefault();
      form.remove();
      link.focus();
    });
    slot.appendChild(form);
    form.querySelector("textarea").focus();
    replying(form, id);
    return true;
  }

  // An employee's reply box tells the team it is open ("Priya is replying…"): a heartbeat
  // every half minute while it is on the page, a last word when it is cancelled.
  function replying(form, id) {
    var base = form.getAttribute("data-heartbeat");
    var csrf = form.querySelector("input[name=csrf_token]");
    if (!base || !csrf || !window.fetch) { return; }
    var url = base + "/" + id;
    function send(to) {
      fetch(to, {
        method: "POST", headers: { "X-CSRFToken": csrf.value }, credentials: "same-origin", keepalive: true
      }).catch(function () {});
    }
    send(url);
    if (!form.closest(".reply-page")) { savedMenu(form, id); }  // that page draws its own
    var timer = window.setInterval(function () {
      if (form.isConnected) { send(url); return; }
      window.clearInterval(timer);
      send(url + "/stop");
    }, 30000);
    form.querySelector(".cancel-reply").addEventListener("click", function () {
      window.clearInterval(timer);
      send(url + "/stop");
    });
  }

  // Saved replies in an employee's in-place box: asked for (filled in for the comment)
  // when the box opens, and inserted at the cursor as plain text.
  function insertAt(box, text) {
    var at = box.selectionStart, end = box.selectionEnd;
    if (typeof at !== "number") { at = end = box.value.length; }
    box.setRangeText(text, at, end, "end");
    box.focus();
  }
  function savedMenu(form, id) {
    var base = form.getAttribute("data-saved-url");
    if (!base) { return; }
    fetch(base + "?comment=" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.saved.length || !form.isConnected) { return; }
        var wrap = document.createElement("p");
        wrap.className = "rq-saved";
        var label = document.createElement("label");
        var select = document.createElement("select");
        select.id = "saved-r" + id;
        label.htmlFor = select.id;
        label.textContent = "Saved reply";
        var first = document.createElement("option");
        first.value = "";
        first.textContent = "Insert a saved reply…";
        select.appendChild(first);
        data.saved.forEach(function (s) {
          var option = document.createElement("option");
          option.value = String(s.id);
          option.textContent = s.title;
          option.dataset.text = s.text;
          select.appendChild(option);
        });
        select.addEventListener("change", function () {
          var option = select.options[select.selectedIndex];
          if (option && option.value) { insertAt(form.querySelector("textarea"), option.dataset.text); }
          select.value = "";
        });
        wrap.appendChild(label);
        wrap.appendChild(select);
        form.insertBefore(wrap, form.querySelector(".form-actions"));
      }).catch(function () {});
  }
  // The reply page's menu (drawn by the server, filled in): the same, without a fetch.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches(".reply-page select[data-saved-for]")) { return; }
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.getAttribute("data-saved-for"));
    if (box && option && option.value) { insertAt(box, option.getAttribute("data-text")); }
    select.value = "";
  });

  // Who else is replying on this page, asked every 12 seconds (employees only: the block
  // is drawn for them alone). Each comment being answered gets a line under its header.
  function showReplying(block, replying) {
    block.textContent = "";
    document.querySelectorAll(".comment > .replying-mark").forEach(function (m) { m.remove(); });
    Object.keys(replying).forEach(function (id) {
      var line = document.createElement("p");
      line.dataset.replyingFor = id;
      var link = document.createElement("a");
      link.href = "#c" + id;
      link.textContent = replying[id];
      line.appendChild(link);
      block.appendChild(line);
      var comment = document.getElementById("c" + id);
      if (comment) {
        var mark = document.createElement("p");
        mark.className = "replying-mark rq-replying";
        mark.textContent = replying[id];
        var meta = comment.querySelector(".comment-meta");
        comment.insertBefore(mark, meta ? meta.nextSibling : comment.firstChild);
      }
    });
  }
  function pollReplying() {
    var block = document.querySelector(".replying-now[data-replying-poll]");
    if (!block || !window.fetch) { return; }
    function ask() {
      if (document.hidden) { return; }
      fetch(block.getAttribute("data-replying-poll"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) { showReplying(block, data.replying); } })
        .catch(function () {});
    }
    ask();
    window.setInterval(ask, 12000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    pollReplying();
    // The reply page (no in-place box): the box is open for as long as the page is.
    document.querySelectorAll(".reply-page [data-saved-insert]").forEach(function (b) { b.hidden = true; });
    var page = document.querySelector(".reply-page form[data-heartbeat]");
    if (page) { replying(page, page.querySelector("input[name=parent_id]").value); }
  });

  function showPreview(button) {
    var form = button.form;
    var box = form.querySelector(".comment-preview");
    var target = box.querySelector(".comment-body");
    button.disabled = true;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "parley-preview" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "The preview isn't available right now; you can still post." };
      });
    }).then(function (data) {
      // The server renders and sanitizes the Markdown: the same HTML the page would show.
      target.innerHTML = data.html || "";
      if (data.error) { target.textContent = data.error; }
      if (!data.html && !data.error) { target.textContent = "Nothing to preview yet."; }
      box.hidden = false;
    }).catch(function () {
      target.textContent = "The preview isn't available right now; you can still post.";
      box.hidden = false;
    }).then(function () {
      button.disabled = false;
    });
  }

  document.addEventListener("click", function (event) {
    var reply = event.target.closest("a.reply-link[data-reply-to]");
    if (reply && openReply(reply)) {
      event.preventDefault();
      return;
    }
    var preview = event.target.closest("button.preview-button");
    if (preview && preview.form && window.fetch) {
      event.preventDefault();
      showPreview(preview);
    }
  });
})();
