// Sends the attachment and reminder forms without leaving the page, so that anything else
// being typed on it (a note, say) survives a rejected upload. Without this script the forms
// post normally and the server redirects back with a message.
(function () {
  if (window.todoPanelBound) return;
  window.todoPanelBound = true;

  function showError(form, text) {
    let box = form.querySelector(".panel-client-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "panel-client-error invalid-feedback d-block mb-2";
      form.querySelector("button[type=submit]").before(box);
    }
    box.textContent = text;
  }

  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (!form.classList.contains("todo-panel-form")) return;
    event.preventDefault();
    const file = form.querySelector("input[type=file]");
    const limit = file && Number(file.dataset.maxBytes);
    if (file && file.files.length && limit && file.files[0].size > limit) {
      showError(form, "The file is too large; the limit is " + (limit / 1048576).toFixed(1) + " MB.");
      return;
    }
    let response;
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
    const html = await response.text();
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("todo-panel");
    const current = document.getElementById("todo-panel");
    if (fresh && current) {
      current.replaceWith(fresh);
    } else {
      showError(form, "Something went wrong (" + response.status + "); please try again.");
    }
  });
})();
