import datetime

from django import forms
from django.utils import timezone

from todo_project.forms import BootstrapFormMixin
from todos.models import Note, Todo


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
