// Forms that ask before they submit: <form data-confirm="Delete this file?">. The question
// lives in the markup, so that no inline handler is needed (the Content-Security-Policy
// allows no inline script). Listening on the document also covers forms added later.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
