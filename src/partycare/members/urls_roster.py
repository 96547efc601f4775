from django.urls import path

from partycare.members import views_roster

app_name = "roster"
# Everything about imports sits under import/, so the side menu's 导入名册 entry stays active on the job pages.
urlpatterns = [
    path("import/", views_roster.import_roster_view, name="import"),
    path("import/history/", views_roster.job_list_view, name="jobs"),
    path("import/<int:pk>/", views_roster.job_view, name="job"),
    path("import/<int:pk>/errors.xlsx", views_roster.job_errors_download, name="job-errors"),
    path("template.xlsx", views_roster.template_download, name="template"),
    path("export/", views_roster.export_view, name="export"),
]
