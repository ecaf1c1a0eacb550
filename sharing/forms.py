from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.forms import RegistrationForm
from accounts.models import User
from sharing.selectors import find_person
from todos.models import Role

ROLE_ERROR = "Choose a role: Viewer, Commenter or Editor."


class InvitationForm(forms.Form):
    """Whom to share a todo or a list with, by username or email address, and as what.

    `cleaned_data["collaborator"]` is the active user of that name, or None; `email` is the
    address to invite when nobody has an account by it (a name that is no address and no
    user gives neither). The view answers all of these the same, so the form cannot be used
    to find out who has an account."""

    collaborator = forms.CharField(max_length=254)
    # Missing (an older page): the target's default role; present, it must be one of these.
    role = forms.CharField(required=False, max_length=20)

    def __init__(self, *args: Any, default_role: Role = Role.EDITOR, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_role = default_role
        thing = "list" if default_role != Role.EDITOR else "todo"
        self.fields["collaborator"].error_messages["required"] = (
            f"Name someone to share the {thing} with: a username or an email address."
        )

    def clean_role(self) -> Role:
        role: str = self.cleaned_data.get("role") or self.default_role
        if role not in Role.values:
            raise ValidationError(ROLE_ERROR)
        return Role(role)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if "collaborator" in cleaned:
            name = str(cleaned["collaborator"]).strip()
            cleaned["name"] = name
            cleaned["collaborator"] = find_person(name)
            cleaned["email"] = ""
            if cleaned["collaborator"] is None and "@" in name:
                try:
                    validate_email(name)
                except ValidationError:
                    self.add_error("collaborator", "Enter a valid email address or a username.")
                else:
                    cleaned["email"] = name.lower()
        return cleaned

    def person(self) -> User | None:
        person: User | None = self.cleaned_data["collaborator"]
        return person


class RoleForm(forms.Form):
    role = forms.CharField(max_length=20, error_messages={"required": ROLE_ERROR})

    def clean_role(self) -> Role:
        role: str = self.cleaned_data["role"]
        if role not in Role.values:
            raise ValidationError(ROLE_ERROR)
        return Role(role)


class InvitedRegistrationForm(RegistrationForm):
    """Registration through an invitation sent to an address without an account: the
    invitation stands in for the invitation code, and the address is the invited one."""

    def __init__(self, *args: Any, invited_email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invited_email = invited_email
        del self.fields["invitation_code"]
        self.fields["email"].initial = invited_email

    def clean_email(self) -> str:
        email = super().clean_email()
        if email != self.invited_email:
            raise ValidationError(
                f"The invitation was sent to {self.invited_email}; register with that address "
                "(or ask for an invitation to this one)."
            )
        return email
