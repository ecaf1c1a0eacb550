import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from todo_project.forms import BootstrapFormMixin
from todos.models import Note, Priority, Todo


class TodoForm(BootstrapFormMixin, forms.ModelForm[Todo]):
    class Meta:
        model = Todo
        fields = ["title", "description", "priority", "due_date"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("A todo needs a title.")
        return title

    def clean_due_date(self) -> datetime.date | None:
        due_date: datetime.date | None = self.cleaned_data["due_date"]
        if due_date is None:
            return None
        unchanged = self.instance.pk is not None and due_date == self.instance.due_date
        # An overdue todo can still be edited without being forced to a new date.
        if due_date < timezone.localdate() and not unchanged:
            raise forms.ValidationError("The due date cannot be in the past.")
        return due_date


class TodoEditForm(TodoForm):
    """The edit form: it carries the version it was loaded with, so that saving it over
    someone else's newer change is a conflict instead of an overwrite."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This form is out of date; open the todo's edit page again.",
            "invalid": "This form is out of date; open the todo's edit page again.",
            "min_value": "This form is out of date; open the todo's edit page again.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            self.initial["version"] = self.instance.version


@dataclass
class ConflictRow:
    label: str
    theirs: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


def conflict_rows(form: TodoEditForm, current: Todo) -> list[ConflictRow]:
    """The edited fields side by side: as saved by the other person, and as submitted.
    `form` must have been validated."""
    rows = []
    for name in TodoForm.Meta.fields:
        field = form.fields[name]
        rows.append(
            ConflictRow(
                label=str(field.label),
                theirs=_shown(name, getattr(current, name)),
                yours=_shown(name, form.cleaned_data.get(name)),
            )
        )
    return rows


def _shown(name: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if name == "priority":
        return str(Priority(str(value)).label)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class NoteForm(BootstrapFormMixin, forms.ModelForm[Note]):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "placeholder": "Add a note…"})}

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("A note cannot be empty.")
        return text
