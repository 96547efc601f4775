from django.urls import path

from partycare.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/grants/", views.grant, name="grant"),
    path("grants/<int:grant_pk>/revoke/", views.revoke, name="revoke"),
]
