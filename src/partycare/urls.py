from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("partycare.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("partycare.api.urls")),
    path("orgs/", include("partycare.orgs.urls")),
    path("members/roster/", include("partycare.members.urls_roster")),
    path("members/", include("partycare.members.urls")),
    path("audit/", include("partycare.audit.urls")),
    path("policy/", include("partycare.policy.urls")),
    path("care/", include("partycare.care.urls")),
    path("duties/", include("partycare.obligations.urls")),
    path("", include("partycare.web.urls")),
]
