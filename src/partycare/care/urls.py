from django.urls import path
from django.views.generic import RedirectView

from partycare.care import views

app_name = "care"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="care:talks"), name="index"),
    path("talks/", views.talk_list, name="talks"),
    path("talks/new/", views.talk_new, name="talk_new"),
    path("talks/<int:pk>/", views.talk_detail, name="talk_detail"),
    path("talks/<int:pk>/summary/", views.talk_summary, name="talk_summary"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/notes/", views.visit_notes, name="visit_notes"),
    path("greetings/", views.greetings, name="greetings"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/arrange/", views.request_arrange, name="request_arrange"),
    path("links/", views.links, name="links"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("medals/", views.medals, name="medals"),
]
