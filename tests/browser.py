"""Browser helpers for tests: every Content-Security-Policy violation a page reports."""

from __future__ import annotations

from typing import Any

# Runs before any script of the page (Playwright injects it outside the page's CSP).
_LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile
  );
});
"""


class CspWatch:
    """Collects the violations of every page of a browser context, also across navigations
    (each new document reports to the console too, which is where earlier ones are kept)."""

    def __init__(self, context: Any) -> None:
        self.reported: list[str] = []
        context.add_init_script(_LISTEN)
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)

    def _watch(self, page: Any) -> None:
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.reported.append(message.text)

    def violations(self, page: Any) -> list[str]:
        found: list[str] = page.evaluate("window.__cspViolations || []")
        return [*self.reported, *found]
