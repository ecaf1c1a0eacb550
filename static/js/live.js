// Keeps the live parts of a page current: the dashboard's list and a todo page's panels.
// Listens for "todo:event" and "todo:resync" (static/js/notifications.js) and fetches only
// the server-rendered fragments an event changed. Forms being typed in are never inside a
// live part, so nothing typed is ever replaced. Fragments are our own escaped HTML.
(function () {
  "use strict";

  var FRAGMENT_HEADERS = { Accept: "text/html", "X-Live-Refresh": "1" };

  function fetchFragment(url) {
    // A redirect (to the login page, once the session has ended) is not a fragment.
    return fetch(url, { credentials: "same-origin", headers: FRAGMENT_HEADERS, redirect: "manual" }).then(
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
    var rows = root.querySelectorAll("#todo-rows > tr");
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
    var menuRow = rowMenu && rowMenu.closest("#todo-rows > tr");
    var kept = {};
    var oldRows = current.querySelectorAll("#todo-rows > tr");
    for (var i = 0; i < oldRows.length; i++) {
      kept[oldRows[i].id] = oldRows[i];
    }
    var newRows = next.querySelectorAll("#todo-rows > tr");
    for (var j = 0; j < newRows.length; j++) {
      var row = newRows[j];
      var html = row.outerHTML;
      var old = kept[row.id];
      if (old && rendered.get(old) === html) {
        row.replaceWith(old);
      } else {
        if (old && old === menuRow) {
          parkRowMenu(); // its row is replaced: the open menu would go with it
        }
        rendered.set(row, html);
        row.classList.add("row-changed");
      }
    }
    if (menuRow && !next.contains(menuRow)) {
      parkRowMenu();
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

  // The one menu of row actions, filled from the Actions button that opens it and put
  // beside that button before Bootstrap's dropdown shows it.
  var rowMenu = document.getElementById("row-menu");
  var rowMenuHome = document.getElementById("row-menu-home");

  function prepareRowMenu(event) {
    var toggle = event.target.closest && event.target.closest(".row-actions");
    if (!toggle || !rowMenu) {
      return;
    }
    var open = toggle.dataset.status === "DONE";
    // Each item shows only if the row's button names its URL (the user's role allows it).
    var status = rowMenu.querySelector(".status-button");
    rowMenu.querySelector(".status-item").hidden = !toggle.dataset.statusUrl;
    status.setAttribute("formaction", toggle.dataset.statusUrl || "");
    status.value = toggle.dataset.status;
    status.textContent = open ? "Mark as done" : "Reopen";
    rowMenu.querySelector(".edit-item").hidden = !toggle.dataset.editUrl;
    rowMenu.querySelector(".edit-link").href = toggle.dataset.editUrl || "#";
    var share = rowMenu.querySelector(".share-item");
    share.hidden = !toggle.dataset.shareUrl;
    share.querySelector(".share-button").dataset.shareUrl = toggle.dataset.shareUrl || "";
    if (toggle.nextElementSibling !== rowMenu) {
      toggle.after(rowMenu);
    }
  }

  function parkRowMenu() {
    if (rowMenu && rowMenuHome && rowMenu.parentElement !== rowMenuHome) {
      rowMenu.classList.remove("show");
      rowMenuHome.appendChild(rowMenu);
    }
  }

  if (live) {
    // On window, capturing: Bootstrap's own handlers capture on the document, after this.
    window.addEventListener("click", prepareRowMenu, true);
    window.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " " || event.key === "ArrowDown" || event.key === "ArrowUp") {
        prepareRowMenu(event);
      }
    }, true);
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
    collaboration_confirmed: ["collaborators", "summary", "assignees"],
    collaborator_left: ["collaborators", "summary", "assignees"],
    collaborator_removed: ["collaborators", "summary", "assignees"],
    todo_updated: ["summary"],
    todo_completed: ["summary"],
    todo_reopened: ["summary"],
    assignees_changed: ["assignees"],
  };
  var ALL_PARTS = [
    "summary", "collaborators", "notes", "attachments", "reminders", "assignees", "history",
  ];
  // Forms a role gates: fetched when the user's rights may have changed (a role changed or
  // revoked, or after a gap), and swapped only if they did.
  var FORM_PARTS = ["note_form", "attachment_form", "reminder_form"];
  var stopped = false; // the todo is gone or no longer shared: the page stops updating

  function showGone(text) {
    stopped = true;
    var gone = document.getElementById("todo-gone");
    if (gone) {
      gone.textContent = text;
      gone.hidden = false;
    }
  }

  // What a form part offers: its forms' actions ("" for none). A form part is swapped only
  // when this changes (the rights did), so that what is typed in it survives otherwise.
  function formsOf(root) {
    return Array.prototype.map.call(root.querySelectorAll("form"), function (form) {
      return form.getAttribute("action");
    }).join(" ");
  }

  function refreshPart(name) {
    var holders = detail.querySelectorAll('[data-live-part="' + name + '"]');
    for (var i = 0; i < holders.length; i++) {
      (function (holder) {
        fetchFragment(holder.dataset.liveUrl).then(function (fresh) {
          if (FORM_PARTS.indexOf(name) >= 0 && formsOf(fresh.body) === formsOf(holder)) {
            return;
          }
          var nodes = Array.prototype.map.call(fresh.body.childNodes, function (node) {
            return document.importNode(node, true);
          });
          holder.replaceChildren.apply(holder, nodes);
          holder.classList.remove("part-changed");
          // A part loaded after the page is not news the first time.
          if (!holder.hasAttribute("data-live-load") || holder.dataset.liveLoaded) {
            void holder.offsetWidth; // restart the highlight
            holder.classList.add("part-changed");
          }
          holder.dataset.liveLoaded = "1";
          localTimes(holder);
        }).catch(function (error) {
          if (error.status === 404 && !stopped) {
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
      if (stopped) {
        return;
      }
      if (pushed.type === "access_changed") {
        // About this todo or its list: what this user may do here may have changed.
        ALL_PARTS.concat(FORM_PARTS).forEach(refreshPart);
        return;
      }
      if (pushed.list_id) {
        // About a whole list: this page cares only if its todo is in that list.
        var shown = detail.querySelector("[data-list-id]");
        if (shown && parseInt(shown.dataset.listId, 10) === parseInt(pushed.list_id, 10)) {
          if (pushed.type === "list_deleted") {
            showGone("The list of this todo was deleted, and the todo with it.");
          } else {
            refreshPart("summary");
          }
        }
        return;
      }
      if (parseInt(pushed.todo_id, 10) !== todoId) {
        return;
      }
      if (pushed.type === "todo_deleted") {
        showGone("This todo was deleted.");
        return;
      }
      var parts = PARTS_BY_EVENT[pushed.type] || ALL_PARTS;
      if (parts.indexOf("history") < 0) {
        parts = parts.concat(["history"]); // every change is in the history
      }
      parts.forEach(refreshPart);
    });
    // Parts the page leaves to be fetched once it has loaded (the history).
    var deferred = detail.querySelectorAll("[data-live-load]");
    for (var d = 0; d < deferred.length; d++) {
      refreshPart(deferred[d].dataset.livePart);
    }
    document.addEventListener("todo:resync", function () {
      if (!stopped) {
        ALL_PARTS.concat(FORM_PARTS).forEach(refreshPart);
      }
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

    // A Share… button (one per own todo) points the one dialog at its todo.
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".share-button");
      if (!button || !button.dataset.shareUrl) {
        return;
      }
      var row = button.closest("tr");
      var title = button.dataset.todoTitle || (row && row.querySelector(".todo-title").textContent);
      if (button.closest(".dropdown-menu")) {
        window.bootstrap.Dropdown.getOrCreateInstance(row.querySelector(".row-actions")).hide();
      }
      form.action = button.dataset.shareUrl;
      dialog.querySelector(".share-todo-title").textContent = title || "";
      window.bootstrap.Modal.getOrCreateInstance(dialog).show(button);
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
