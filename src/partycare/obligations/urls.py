from django.urls import path

from partycare.obligations import views

app_name = "obligations"
urlpatterns = [
    path("", views.duty_list_view, name="list"),
    path("<int:pk>/", views.duty_detail, name="detail"),
    path("<int:pk>/waive/", views.waive, name="waive"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_read"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("compliance/export/", views.compliance_export, name="compliance_export"),
    path("compliance/sweep/", views.sweep_now, name="sweep_now"),
    path("calendar/", views.calendar_view, name="calendar"),
]
