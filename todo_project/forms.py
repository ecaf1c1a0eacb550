from typing import Any

from django import forms


def error_text(form: forms.BaseForm, field: str, default: str) -> str:
    """A field's error messages as one sentence (`default` if it has none), for a flash
    message or a panel's notice."""
    return " ".join(str(message) for message in form.errors.get(field, [default]))


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, and marks fields with errors as invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                self.fields[name].widget.attrs["class"] += " is-invalid"  # type: ignore[attr-defined]
