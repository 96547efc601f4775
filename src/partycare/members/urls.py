from django.urls import path

from partycare.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/events/", views.add_life_event, name="add_life_event"),
    path("<int:pk>/disciplines/", views.add_discipline, name="add_discipline"),
    path("<int:pk>/honours/", views.add_honour, name="add_honour"),
]
