// Live updates for a logged-in page: one WebSocket to /ws/notifications/ (the server decides,
// from the session, whose events it carries), a toast per event, and a refresh of what the
// event changed. Event text is only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";

  var MIN_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var CLOSE_SESSION_ENDED = 4001; // logged out, expired or deactivated: do not come back
  var CLOSE_NOT_LOGGED_IN = 4401;
  var delay = MIN_DELAY_MS;

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + "/ws/notifications/";
  }

  function connect() {
    var socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () {
      delay = MIN_DELAY_MS;
      document.body.dataset.push = "connected";
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      showToast(event);
      refresh(event);
    });
    socket.addEventListener("close", function (closed) {
      document.body.dataset.push = "disconnected";
      if (closed.code === CLOSE_SESSION_ENDED || closed.code === CLOSE_NOT_LOGGED_IN) {
        return; // the session ended; the next page load will ask for a login
      }
      // Exponential backoff with jitter, so that a restarted server is not stormed.
      var wait = delay / 2 + Math.random() * delay / 2;
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      window.setTimeout(connect, wait);
    });
  }

  function showToast(event) {
    var container = document.getElementById("toasts");
    if (!container) {
      return;
    }
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    toast.dataset.eventType = String(event.type || "");
    toast.dataset.todoId = String(event.todo_id || "");

    var header = document.createElement("div");
    header.className = "toast-header";
    var title = document.createElement("strong");
    title.className = "me-auto";
    title.textContent = event.title ? String(event.title) : "Update";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", "Close");
    header.appendChild(title);
    header.appendChild(close);

    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = String(event.text || "");

    toast.appendChild(header);
    toast.appendChild(body);
    container.appendChild(toast);
    toast.addEventListener("hidden.bs.toast", function () {
      toast.remove();
    });
    if (window.bootstrap && window.bootstrap.Toast) {
      window.bootstrap.Toast.getOrCreateInstance(toast, { delay: 8000 }).show();
    } else {
      toast.classList.add("show");
    }
  }

  // Fetch a page of ours and return it parsed (server-rendered, already escaped markup).
  function fetchPage(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        return new DOMParser().parseFromString(html, "text/html");
      });
  }

  function swap(selector, fresh) {
    var current = document.querySelector(selector);
    var replacement = fresh.querySelector(selector);
    if (current && replacement) {
      current.replaceWith(document.importNode(replacement, true));
      return true;
    }
    return false;
  }

  function refresh(event) {
    var todoId = parseInt(event.todo_id, 10);
    if (document.getElementById("todo-table") || document.getElementById("no-todos")) {
      // The dashboard: take the fresh table (rows are ordered by status and due date, so a
      // changed row may move) and keep the rest of the page as it is.
      fetchPage("/dashboard").then(function (fresh) {
        if (!swap("#todo-table", fresh) && !swap("#no-todos", fresh)) {
          window.location.reload();
        }
        var row = document.getElementById("todo-" + todoId);
        if (row) {
          row.classList.add("table-info");
        }
      }).catch(function () {});
      return;
    }
    var detail = document.getElementById("todo-detail");
    if (detail && parseInt(detail.dataset.todoId, 10) === todoId) {
      if (event.type === "todo_deleted") {
        return; // the toast says so; the page stays for the user to read
      }
      // The todo page: refresh what others change, but not the note form being typed in.
      fetchPage(window.location.pathname).then(function (fresh) {
        swap("#todo-detail .todo-title", fresh);
        swap("#todo-detail dl", fresh);
        swap("#notes", fresh);
      }).catch(function () {});
    }
  }

  if ("WebSocket" in window && document.body.dataset.userId) {
    connect();
  }
})();
