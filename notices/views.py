from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from notices.forms import NoticePreferencesForm
from notices.preferences import preferences_of


@require_http_methods(["GET", "POST"])
@login_required
def notice_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NoticePreferencesForm(request.POST or None, instance=preferences_of(request.user))
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your notice settings were saved.")
            return redirect("notices:settings")
        return render(request, "notices/settings.html", {"form": form}, status=400)
    return render(request, "notices/settings.html", {"form": form})
