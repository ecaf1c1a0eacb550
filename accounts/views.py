from urllib.parse import urlencode

from allauth.socialaccount.providers.amazon_cognito.views import oauth2_login
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import logout as django_logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import RegistrationForm
from accounts.services import RegistrationError, register_user
from todo_project.ratelimits import ip_key, rate_limit
from tracing.breadcrumbs import note_action


def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "accounts/login.html", {"next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
@rate_limit("register", rate="RATE_LIMIT_REGISTER", key=ip_key)
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


@rate_limit("login", rate="RATE_LIMIT_LOGIN", key=ip_key)
def start_login(request: HttpRequest) -> HttpResponse:
    """allauth's start of the Cognito login (a POST from our login page), rate limited."""
    response: HttpResponse = oauth2_login(request)
    return response


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin has no password form of its own: a visitor logs in through Cognito like
    everyone else and comes back; a logged-in user who is not staff is refused."""
    if request.user.is_authenticated:
        raise PermissionDenied("The admin is for staff only.")
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
