import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.models import User
from todo_project.forms import BootstrapFormMixin
from todos.models import Note, Priority, Todo, TodoList
from todos.permissions import Action, lists_allowing


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


class ListChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A list by name, with its owner's name when it is someone else's."""

    def __init__(self, *args: Any, user_id: int, **kwargs: Any) -> None:
        self.user_id = user_id
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        if obj.owner_id == self.user_id:
            return str(obj.name)
        return f"{obj.name} ({obj.owner})"


LIST_GONE = "That list no longer exists, or you can no longer add todos to it."


class TodoAddForm(TodoForm):
    """The new-todo form: also which list (the user's own, or one where they are Editor;
    archived lists aside). The Inbox is chosen unless another list is asked for."""

    field_order = ["title", "description", "todo_list", "priority", "due_date"]

    def __init__(self, *args: Any, user: User, initial_list: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = (
            lists_allowing(user, Action.ADD_TODO)
            .filter(archived=False)
            .select_related("owner")
            .annotate(mine=Case(When(owner_id=user.pk, then=Value(0)), default=Value(1)))
            .order_by("mine", "owner__username", "position", "pk")
        )
        field = ListChoiceField(
            queryset=choices,
            label="List",
            empty_label=None,
            required=False,  # none chosen: the Inbox
            user_id=user.pk,
            error_messages={"invalid_choice": LIST_GONE, "required": LIST_GONE},
        )
        field.widget.attrs["class"] = "form-select"
        self.fields["todo_list"] = field
        self.order_fields(self.field_order)
        if not self.is_bound:
            self.initial["todo_list"] = initial_list or TodoList.objects.inbox_for(user.pk).pk


class MoveTodoForm(forms.Form):
    """Which of the owner's lists a todo moves to."""

    todo_list = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "Choose a list to move the todo to.",
            "invalid": "Choose a list to move the todo to.",
            "min_value": "Choose a list to move the todo to.",
        },
    )


class ListNameForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=TodoList._meta.get_field("name").max_length,
        error_messages={
            "required": "A list needs a name.",
            "max_length": "A list's name can be at most %(limit_value)d characters long.",
        },
    )
