import hmac
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator

from accounts.models import User
from todo_project.forms import BootstrapFormMixin

# Cognito usernames may hold more, but these survive URLs, logs and topic names unescaped.
username_validator = RegexValidator(
    r"^[A-Za-z0-9_.-]+$", "Use letters, digits, dots, dashes and underscores only."
)


class RegistrationForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(min_length=3, max_length=30, validators=[username_validator])
    email = forms.EmailField(max_length=254)
    invitation_code = forms.CharField(max_length=100)

    def clean_invitation_code(self) -> str:
        code: str = self.cleaned_data["invitation_code"].strip()
        if not any(
            hmac.compare_digest(code.encode(), valid.encode())
            for valid in settings.INVITATION_CODES
        ):
            raise forms.ValidationError("This invitation code is not valid.")
        return code

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        # Valid in a quoted local part, but they would break Cognito's ListUsers filter.
        if '"' in email or "\\" in email:
            raise forms.ValidationError("Quotes and backslashes are not allowed here.")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.has_error("invitation_code"):
            # Without a valid code, nothing else is checked or told: not even whether a name
            # or an address is taken (that would let anyone probe who has an account).
            for field in ("username", "email"):
                self.errors.pop(field, None)
                cleaned.pop(field, None)
            return cleaned
        username = cleaned.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            self.add_error("username", "This username is already taken.")
        email = cleaned.get("email")
        if email and User.objects.filter(email__iexact=email).exists():
            self.add_error("email", "This email address is already registered.")
        return cleaned
