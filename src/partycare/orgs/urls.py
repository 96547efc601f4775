from django.urls import path

from partycare.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/new-child/", views.create_child, name="create_child"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/posts/", views.assign_post, name="assign_post"),
    path("<int:pk>/posts/<int:post_pk>/end/", views.end_post, name="end_post"),
]
