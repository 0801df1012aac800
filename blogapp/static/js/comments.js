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
    return true;
  }

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
