// Sends a todo page's panel forms (attachments, reminders, notes) without leaving the page,
// so that anything else being typed on it survives. The server answers with the panel
// (data-panel names it; #todo-panel by default), rejected input included. Without this
// script the forms post normally and the server redirects back with a message.
(function () {
  "use strict";
  if (window.todoPanelBound) return;
  window.todoPanelBound = true;

  function showError(form, text) {
    var box = form.querySelector(".panel-client-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "panel-client-error invalid-feedback d-block mb-2";
      form.querySelector("button[type=submit]").before(box);
    }
    box.textContent = text;
  }

  document.addEventListener("submit", async function (event) {
    var form = event.target;
    if (!form.classList.contains("todo-panel-form") || event.defaultPrevented) return;
    event.preventDefault();
    var panelId = form.dataset.panel || "todo-panel";
    var file = form.querySelector("input[type=file]");
    var limit = file && Number(file.dataset.maxBytes);
    if (file && file.files.length && limit && file.files[0].size > limit) {
      showError(form, "The file is too large; the limit is " + (limit / 1048576).toFixed(1) + " MB.");
      return;
    }
    var response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Todo-Panel": "1" },
        credentials: "same-origin",
      });
    } catch (error) {
      showError(form, "The server could not be reached; please try again.");
      return;
    }
    var html = await response.text();
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(panelId);
    var current = document.getElementById(panelId);
    if (fresh && current) {
      current.replaceWith(fresh);
      if (window.todoApp && window.todoApp.localTimes) window.todoApp.localTimes(fresh);
    } else if (response.status === 404) {
      showError(form, "This todo no longer exists, or is no longer shared with you.");
    } else {
      showError(form, "Something went wrong (" + response.status + "); please try again.");
    }
  });
})();
