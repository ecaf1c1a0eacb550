from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout as django_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import RegistrationForm
from accounts.services import RegistrationError, register_user
from tracing.breadcrumbs import note_action


def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "accounts/login.html", {"next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            register_user(username=form.cleaned_data["username"], email=form.cleaned_data["email"])
        except RegistrationError as error:
            form.add_error(error.field, str(error))
        else:
            note_action(request, "register", username=form.cleaned_data["username"])
            return render(
                request, "accounts/registered.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "accounts/register.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the Django session, then the Cognito session, which sends the browser back home."""
    if request.user.is_authenticated:
        note_action(request, "logout", username=request.user.get_username())
    django_logout(request)
    query = urlencode(
        {
            "client_id": settings.COGNITO_CLIENT_ID,
            "logout_uri": settings.EXTERNAL_URL + reverse("landing"),
        }
    )
    return HttpResponseRedirect(f"{settings.COGNITO_DOMAIN}/logout?{query}")
