"""The few allauth URLs this app uses, under /accounts/; every other allauth page (password
forms, email management, /accounts/3rdparty/ connections, …) is a 404. Logging in is
Cognito's business, through one provider."""

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.amazon_cognito import views as cognito_views
from django.urls import path
from django.views.generic import RedirectView

from accounts import views

urlpatterns = [
    path("amazon-cognito/login/", views.start_login, name="amazon_cognito_login"),
    path(
        "amazon-cognito/login/callback/",
        cognito_views.oauth2_callback,
        name="amazon_cognito_callback",
    ),
    path(
        "3rdparty/login/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("3rdparty/login/error/", social_views.login_error, name="socialaccount_login_error"),
    # Where allauth sends a Cognito user it cannot sign up on its own (a name taken here).
    path("3rdparty/signup/", social_views.signup, name="socialaccount_signup"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    # allauth's own names for login and logout lead to ours.
    path(
        "login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="account_login",
    ),
    path("logout/", views.logout, name="account_logout"),
]
