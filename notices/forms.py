from django import forms

from notices.models import NoticePreferences
from todo_project.forms import BootstrapFormMixin


class NoticePreferencesForm(BootstrapFormMixin, forms.ModelForm[NoticePreferences]):
    class Meta:
        model = NoticePreferences
        fields = ["shared", "changed", "commented", "completed", "due_soon"]
        help_texts = {
            "shared": "A todo or a list is shared with you, or your role on it changes.",
            "changed": "A todo you watch is edited, moved, deleted, assigned, or gets files "
            "or reminders.",
            "commented": "Someone adds a note to a todo you watch.",
            "completed": "A todo you watch is marked done.",
            "due_soon": "A todo you watch is due tomorrow (told once, in the morning).",
        }
