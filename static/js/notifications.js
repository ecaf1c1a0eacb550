// Live updates for a logged-in page: one WebSocket to /ws/notifications/ (the server decides,
// from the session, whose events it carries) and a toast per event. What an event changed is
// refreshed by static/js/live.js, which listens for the document events dispatched here:
//   "todo:event"  (detail: the event) for each push,
//   "todo:resync" once after a gap (the socket reconnected, or the server's relay did), when
//                 pushes may have been missed and every live part should be fetched again.
// Event text is only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";

  var MIN_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var CLOSE_SESSION_ENDED = 4001; // logged out, expired or deactivated: do not come back
  var CLOSE_NOT_LOGGED_IN = 4401;
  var MAX_TOASTS = 3;
  var delay = MIN_DELAY_MS;
  var wasConnected = false;
  var leaving = false;

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + "/ws/notifications/";
  }

  // Whether a closed socket should be opened again.
  function shouldReconnect(code) {
    // Logged out, expired, deactivated or never logged in: the next page load asks for a login.
    return code !== CLOSE_SESSION_ENDED && code !== CLOSE_NOT_LOGGED_IN;
  }

  function setPaused(paused) {
    document.body.dataset.push = paused ? "disconnected" : "connected";
    var mark = document.getElementById("live-status");
    if (mark) {
      mark.hidden = !paused;
    }
  }

  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function connect() {
    var socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () {
      delay = MIN_DELAY_MS;
      setPaused(false);
      if (wasConnected) {
        announce("todo:resync", { reason: "socket" });
      }
      wasConnected = true;
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (!event || typeof event !== "object") {
        return;
      }
      if (event.type === "paused") {
        setPaused(true); // the server lost the broker; the socket itself is fine
        return;
      }
      if (event.type === "resync") {
        setPaused(false);
        announce("todo:resync", { reason: "relay" });
        return;
      }
      showToast(event);
      announce("todo:event", event);
    });
    socket.addEventListener("close", function (closed) {
      if (leaving) {
        return;
      }
      setPaused(true);
      if (!shouldReconnect(closed.code)) {
        return;
      }
      // Exponential backoff with jitter, so that a restarted server is not stormed.
      var wait = delay / 2 + Math.random() * delay / 2;
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      window.setTimeout(connect, wait);
    });
  }

  function showToast(event) {
    var container = document.getElementById("toasts");
    if (!container || !event.text) {
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
    title.className = "me-auto text-truncate";
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
    // A burst of pushes should not cover the page: the oldest toasts make room.
    while (container.children.length > MAX_TOASTS) {
      container.firstElementChild.remove();
    }
    toast.addEventListener("hidden.bs.toast", function () {
      toast.remove();
    });
    if (window.bootstrap && window.bootstrap.Toast) {
      window.bootstrap.Toast.getOrCreateInstance(toast, { delay: 8000 }).show();
    } else {
      toast.classList.add("show");
    }
  }

  window.addEventListener("pagehide", function () {
    leaving = true;
  });

  if ("WebSocket" in window && document.body.dataset.userId) {
    connect();
  }
})();
