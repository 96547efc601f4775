from django.urls import path

from partycare.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.index, name="index"),
    path("presets/<slug:slug>/", views.preset_detail, name="preset"),
    path("org/<int:org_id>/", views.org_pack, name="org"),
    path("org/<int:org_id>/activate/", views.activate, name="activate"),
]
