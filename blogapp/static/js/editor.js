// The studio editor: toolbar, live preview, autosave, image upload, and a copy of
// the text in localStorage so nothing typed is lost when the network or server is not there.
// Without this file the editor still works: the form saves, and its Preview button re-renders.
(function () {
  "use strict";

  const form = document.querySelector("form.editor");
  if (!form) return;

  const AUTOSAVE_EVERY_MS = 5000;
  const PREVIEW_DELAY_MS = 400;
  const title = form.querySelector("#title");
  const body = form.querySelector("#body");
  const version = form.querySelector("input[name=version]");
  const statusLine = form.querySelector(".autosave-status");
  const preview = document.getElementById("preview");
  const previewTitle = document.querySelector(".preview-title");
  const toolbar = form.querySelector(".toolbar");
  const picker = form.querySelector(".image-picker");
  const restoreBox = document.querySelector(".restore-local");
  const kept = ["title", "body", "slug", "tags", "excerpt"];

  let dirty = false;
  let inflight = null;
  let stopped = false;
  let submitting = false;
  let previewTimer = null;
  let draftKey = form.dataset.draftKey;

  function token() {
    return form.querySelector("input[name=csrf_token]").value;
  }

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.classList.toggle("is-error", kind === "error");
    statusLine.classList.toggle("is-saved", kind === "saved");
  }

  function clock() {
    const now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  // --- A copy in this browser -------------------------------------------------------------

  function snapshot() {
    const values = {};
    kept.forEach(function (name) {
      const field = form.elements[name];
      values[name] = field ? field.value : "";
    });
    return values;
  }

  function sameAsForm(values) {
    return kept.every(function (name) {
      const field = form.elements[name];
      return !field || (values[name] || "") === field.value;
    });
  }

  function keepLocally() {
    try {
      const values = snapshot();
      values.at = clock();
      localStorage.setItem(draftKey, JSON.stringify(values));
    } catch (e) {
      // Storage full or disabled: the text is still in the page.
    }
  }

  function readLocal(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function forgetLocal(key) {
    try {
      localStorage.removeItem(key);
    } catch (e) {
      // Nothing to forget.
    }
  }

  function offerLocalCopy() {
    const stored = readLocal(draftKey);
    if (!stored) return;
    if (sameAsForm(stored)) {
      forgetLocal(draftKey);
      return;
    }
    restoreBox.querySelector(".restore-time").textContent = stored.at || "earlier";
    restoreBox.hidden = false;
    form.parentNode.insertBefore(restoreBox, form);
    restoreBox.querySelector(".restore-apply").addEventListener("click", function () {
      kept.forEach(function (name) {
        if (form.elements[name] && typeof stored[name] === "string") {
          form.elements[name].value = stored[name];
        }
      });
      restoreBox.hidden = true;
      changed();
    });
    restoreBox.querySelector(".restore-discard").addEventListener("click", function () {
      forgetLocal(draftKey);
      restoreBox.hidden = true;
    });
  }

  // --- Live preview -------------------------------------------------------------------------

  function refreshPreview() {
    const data = new URLSearchParams({ csrf_token: token(), body: body.value });
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": token() },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.ok) return response.json();
        // A body refused as too long or too complex comes back with the reason to show.
        return response.json().then(
          function (result) { return Promise.reject({ reason: result.error }); },
          function () { return Promise.reject({}); }
        );
      })
      .then(function (result) {
        // The server rendered and sanitized this with the same rules as the public page.
        preview.innerHTML = result.html;
        preview.removeAttribute("aria-busy");
      })
      .catch(function (problem) {
        if (problem && problem.reason) { preview.textContent = problem.reason; }
        preview.setAttribute("aria-busy", "false");
      });
  }

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  }

  // --- Autosave ------------------------------------------------------------------------------

  function formData() {
    const data = new URLSearchParams(new FormData(form));
    data.delete("action");
    return data;
  }

  function adopt(result) {
    version.value = String(result.version);
    // An empty address keeps following the title until someone types one.
    const slug = form.elements.slug;
    if (slug && !slug.value) slug.placeholder = result.slug;
    if (form.dataset.autosaveUrl !== result.autosave_url) {
      // A new post now exists: keep editing it at its own address.
      const oldKey = draftKey;
      draftKey = "parley-draft-" + result.post_id;
      form.action = result.edit_url;
      form.dataset.autosaveUrl = result.autosave_url;
      forgetLocal(oldKey);
      history.replaceState(null, "", result.edit_url);
    }
  }

  function save() {
    if (stopped || inflight || !dirty) return inflight;
    if (!title.value.trim()) {
      setStatus("Give the post a title to start saving it. Your text is kept in this browser.");
      return null;
    }
    const sent = snapshot();
    dirty = false;
    setStatus("Saving…");
    inflight = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: formData(),
      headers: { Accept: "application/json", "X-CSRFToken": token() },
      credentials: "same-origin",
    })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (!type.includes("application/json")) {
          return Promise.reject(new Error("You may have been logged out."));
        }
        return response.json().then(function (result) {
          if (response.status === 409) stopped = true;
          if (!response.ok) return Promise.reject(new Error(result.error || "Not saved."));
          return result;
        });
      })
      .then(function (result) {
        adopt(result);
        if (sameAsForm(sent)) forgetLocal(draftKey);
        setStatus(
          result.kept_aside
            ? "Saved " + result.saved_at + " — not live until you press Update"
            : "Saved " + result.saved_at,
          "saved"
        );
      })
      .catch(function (error) {
        dirty = true;
        const why = error && error.message ? error.message : "No connection.";
        setStatus(
          "Not saved (" + clock() + "): " + why + " Your text is kept here and in this browser.",
          "error"
        );
      })
      .finally(function () {
        inflight = null;
      });
    return inflight;
  }

  function saveOnLeaving() {
    if (!dirty || submitting || stopped || !title.value.trim()) return;
    keepLocally();
    const data = formData();
    let sent = false;
    try {
      sent = navigator.sendBeacon(form.dataset.autosaveUrl, data);
    } catch (e) {
      sent = false;
    }
    if (!sent) {
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: data,
        keepalive: true,
        headers: { "X-CSRFToken": token() },
        credentials: "same-origin",
      }).catch(function () {});
    }
  }

  function changed() {
    dirty = true;
    keepLocally();
    if (previewTitle) previewTitle.textContent = title.value || "Untitled";
    schedulePreview();
  }

  // --- Toolbar ------------------------------------------------------------------------------

  function replaceSelection(make) {
    const start = body.selectionStart;
    const end = body.selectionEnd;
    const chosen = body.value.slice(start, end);
    const result = make(chosen);
    body.setRangeText(result.text, start, end, "end");
    if (result.select) {
      body.setSelectionRange(start + result.select[0], start + result.select[1]);
    }
    body.focus();
    changed();
  }

  function wrap(before, after, placeholder) {
    replaceSelection(function (chosen) {
      const inner = chosen || placeholder;
      return {
        text: before + inner + after,
        select: [before.length, before.length + inner.length],
      };
    });
  }

  function prefixLines(prefix, placeholder) {
    const start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    body.setSelectionRange(start, body.selectionEnd);
    replaceSelection(function (chosen) {
      const lines = (chosen || placeholder).split("\n");
      const text = lines.map(function (line) { return prefix + line; }).join("\n");
      return { text: text, select: [prefix.length, text.length] };
    });
  }

  const actions = {
    bold: function () { wrap("**", "**", "bold text"); },
    italic: function () { wrap("_", "_", "italic text"); },
    link: function () { wrap("[", "](https://)", "link text"); },
    heading: function () { prefixLines("## ", "Heading"); },
    list: function () { prefixLines("- ", "List item"); },
    quote: function () { prefixLines("> ", "Quote"); },
    code: function () {
      const chosen = body.value.slice(body.selectionStart, body.selectionEnd);
      if (chosen.includes("\n")) wrap("```\n", "\n```", "");
      else wrap("`", "`", "code");
    },
    image: function () { picker.click(); },
  };

  function upload(file) {
    const data = new FormData();
    data.append("csrf_token", token());
    data.append("image", file);
    setStatus("Uploading " + file.name + "…");
    fetch(form.dataset.uploadUrl, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": token() },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.status === 413) return Promise.reject(new Error("That file is too large."));
        return response.json().then(function (result) {
          return response.ok ? result : Promise.reject(new Error(result.error));
        });
      })
      .then(function (result) {
        // The caret goes after the image, so typing on never overwrites it.
        const before = body.value.slice(0, body.selectionStart);
        const gap = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
        replaceSelection(function () {
          return { text: gap + result.markdown + "\n\n" };
        });
        setStatus("Image added. Describe it between the brackets for people who can't see it.");
      })
      .catch(function (error) {
        setStatus("Upload failed: " + (error.message || "no connection."), "error");
      });
  }

  // --- Wiring -------------------------------------------------------------------------------

  toolbar.hidden = false;
  toolbar.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-md]");
    if (button && actions[button.dataset.md]) actions[button.dataset.md]();
  });
  picker.addEventListener("change", function () {
    if (picker.files.length) upload(picker.files[0]);
    picker.value = "";
  });
  form.addEventListener("input", changed);
  form.addEventListener("submit", function (event) {
    if (inflight) {
      // Let the background save finish first, so this save is based on its version.
      event.preventDefault();
      const submitter = event.submitter;
      inflight.finally(function () {
        form.requestSubmit(submitter);
      });
      return;
    }
    submitting = true;
    keepLocally();
  });
  setInterval(save, AUTOSAVE_EVERY_MS);
  window.addEventListener("pagehide", saveOnLeaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save();
  });
  offerLocalCopy();
})();
