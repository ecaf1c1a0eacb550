// Behaviour every page shares, bound through data- attributes (no inline scripts, so that a
// strict Content-Security-Policy holds): confirmations, and times in the browser's zone.
(function () {
  "use strict";

  // <form data-confirm="Delete this file?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  var timeFormat = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });

  // <time datetime="…" data-local-time>: the server writes UTC; show the reader's own zone.
  function localTimes(root) {
    var times = (root || document).querySelectorAll("time[data-local-time]");
    for (var i = 0; i < times.length; i++) {
      var when = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        times[i].textContent = timeFormat.format(when);
        times[i].title = when.toString();
      }
    }
  }

  // A character counter under long text fields (title, description, note), shown once the
  // field is used: "12 / 200".
  function counterFor(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!(limit >= 100) || !field.closest("main form")) {
      return;
    }
    var counter = field.nextElementSibling;
    if (!counter || !counter.classList.contains("char-counter")) {
      counter = document.createElement("div");
      counter.className = "form-text char-counter";
      counter.setAttribute("aria-live", "polite");
      field.after(counter);
    }
    counter.textContent = field.value.length + " / " + limit;
  }

  ["focusin", "input"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var field = event.target;
      if (field.matches && field.matches("textarea[maxlength], input[type=text][maxlength]")) {
        counterFor(field);
      }
    });
  });

  window.todoApp = window.todoApp || {};
  window.todoApp.localTimes = localTimes;
  localTimes(document);
})();
