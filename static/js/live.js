// Keeps the live parts of a page current: the dashboard's list and a todo page's panels.
// Listens for "todo:event" and "todo:resync" (static/js/notifications.js) and fetches only
// the server-rendered fragments an event changed. Forms being typed in are never inside a
// live part, so nothing typed is ever replaced. Fragments are our own escaped HTML.
(function () {
  "use strict";

  var FRAGMENT_HEADERS = { Accept: "text/html", "X-Live-Refresh": "1" };

  function fetchFragment(url) {
    return fetch(url, { credentials: "same-origin", headers: FRAGMENT_HEADERS }).then(
      function (response) {
        if (!response.ok) {
          var error = new Error("HTTP " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.text();
      }
    ).then(function (html) {
      return new DOMParser().parseFromString(html, "text/html");
    });
  }

  function localTimes(root) {
    if (window.todoApp && window.todoApp.localTimes) {
      window.todoApp.localTimes(root);
    }
  }

  // --- The dashboard --------------------------------------------------------------------
  var live = document.getElementById("dashboard-live");
  // Events about what no row shows: nothing to fetch.
  var ROW_UNCHANGED_BY = {
    note_added: true,
    attachment_added: true,
    attachment_deleted: true,
    reminder_added: true,
    reminder_removed: true,
  };
  var rendered = new WeakMap(); // row -> the HTML it was rendered from
  var running = false;
  var again = false;

  function rememberRows(root) {
    var rows = root.querySelectorAll("tr[data-todo-id]");
    for (var i = 0; i < rows.length; i++) {
      rendered.set(rows[i], rows[i].outerHTML);
    }
  }

  // Swap in the fresh list, keeping the DOM nodes of rows that did not change (an open
  // menu stays open) and marking those that are new or changed.
  function reconcile(fresh) {
    var current = document.getElementById("dashboard-list");
    var next = fresh.getElementById("dashboard-list");
    if (!current || !next) {
      return;
    }
    next = document.importNode(next, true);
    var kept = {};
    var oldRows = current.querySelectorAll("tr[data-todo-id]");
    for (var i = 0; i < oldRows.length; i++) {
      kept[oldRows[i].dataset.todoId] = oldRows[i];
    }
    var newRows = next.querySelectorAll("tr[data-todo-id]");
    for (var j = 0; j < newRows.length; j++) {
      var row = newRows[j];
      var html = row.outerHTML;
      var old = kept[row.dataset.todoId];
      if (old && rendered.get(old) === html) {
        row.replaceWith(old);
      } else {
        rendered.set(row, html);
        row.classList.add("row-changed");
      }
    }
    current.replaceWith(next);
    localTimes(next);
  }

  function refreshDashboard() {
    if (running) {
      again = true; // one more round once this one is done: pushes come in bursts
      return;
    }
    running = true;
    fetchFragment(live.dataset.liveUrl).then(reconcile).catch(function () {}).then(function () {
      running = false;
      if (again) {
        again = false;
        refreshDashboard();
      }
    });
  }

  if (live) {
    rememberRows(live);
    document.addEventListener("todo:event", function (event) {
      if (!ROW_UNCHANGED_BY[(event.detail || {}).type]) {
        refreshDashboard();
      }
    });
    document.addEventListener("todo:resync", refreshDashboard);

    // Done and Reopen without leaving the page (and its filters); without this script the
    // buttons submit the form and the server redirects back to the dashboard.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var button = event.submitter;
      if (form.id !== "row-form" || !button || !button.classList.contains("status-button")) {
        return;
      }
      event.preventDefault();
      var body = new FormData(form);
      body.append(button.name, button.value);
      fetch(button.formAction, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Todo-Panel": "1" },
      }).then(function (response) {
        if (!response.ok) {
          window.location.reload(); // gone meanwhile, say: the page tells why
          return;
        }
        refreshDashboard();
      }).catch(function () {
        window.location.reload();
      });
    });
  }

  // --- A todo's page --------------------------------------------------------------------
  var detail = document.getElementById("todo-detail");
  var PARTS_BY_EVENT = {
    note_added: ["notes"],
    attachment_added: ["attachments"],
    attachment_deleted: ["attachments"],
    reminder_added: ["reminders"],
    reminder_removed: ["reminders"],
    collaboration_confirmed: ["collaborators", "summary"],
    collaborator_left: ["collaborators", "summary"],
    collaborator_removed: ["collaborators", "summary"],
    todo_updated: ["summary"],
    todo_completed: ["summary"],
    todo_reopened: ["summary"],
  };
  var ALL_PARTS = ["summary", "collaborators", "notes", "attachments", "reminders"];

  function showGone(text) {
    var gone = document.getElementById("todo-gone");
    if (gone) {
      gone.textContent = text;
      gone.hidden = false;
    }
  }

  function refreshPart(name) {
    var holders = detail.querySelectorAll('[data-live-part="' + name + '"]');
    for (var i = 0; i < holders.length; i++) {
      (function (holder) {
        fetchFragment(holder.dataset.liveUrl).then(function (fresh) {
          var nodes = Array.prototype.map.call(fresh.body.childNodes, function (node) {
            return document.importNode(node, true);
          });
          holder.replaceChildren.apply(holder, nodes);
          holder.classList.remove("part-changed");
          void holder.offsetWidth; // restart the highlight
          holder.classList.add("part-changed");
          localTimes(holder);
        }).catch(function (error) {
          if (error.status === 404) {
            showGone("This todo was deleted, or is no longer shared with you.");
          }
        });
      })(holders[i]);
    }
  }

  if (detail) {
    var todoId = parseInt(detail.dataset.todoId, 10);
    document.addEventListener("todo:event", function (event) {
      var pushed = event.detail || {};
      if (parseInt(pushed.todo_id, 10) !== todoId) {
        return;
      }
      if (pushed.type === "todo_deleted") {
        showGone("This todo was deleted.");
        return;
      }
      (PARTS_BY_EVENT[pushed.type] || ALL_PARTS).forEach(refreshPart);
    });
    document.addEventListener("todo:resync", function () {
      ALL_PARTS.forEach(refreshPart);
    });
  }

  // --- The share dialog (one per page) --------------------------------------------------
  var dialog = document.getElementById("share-dialog");
  if (dialog) {
    var form = document.getElementById("share-form");
    var input = document.getElementById("share-collaborator");
    var list = document.getElementById("share-suggestions");
    var timer = null;
    var asked = "";

    dialog.addEventListener("show.bs.modal", function (event) {
      var button = event.relatedTarget;
      if (button && button.dataset.shareUrl) {
        form.action = button.dataset.shareUrl;
        dialog.querySelector(".share-todo-title").textContent = button.dataset.todoTitle || "";
      }
    });
    dialog.addEventListener("shown.bs.modal", function () {
      input.focus();
    });

    function suggest() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) {
        return;
      }
      asked = text;
      var url = input.dataset.suggestionsUrl + "?q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { people: [] };
        })
        .then(function (answer) {
          if (asked !== text) {
            return; // typed on meanwhile
          }
          var options = (answer.people || []).map(function (person) {
            var option = document.createElement("option");
            option.value = String(person.username);
            option.label = String(person.name);
            return option;
          });
          list.replaceChildren.apply(list, options);
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 200);
    });
  }
})();
