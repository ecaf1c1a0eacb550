import hmac

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

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is already taken.")
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        # Valid in a quoted local part, but they would break Cognito's ListUsers filter.
        if '"' in email or "\\" in email:
            raise forms.ValidationError("Quotes and backslashes are not allowed here.")
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This email address is already registered.")
        return email
