from django.urls import path

from . import views
from .jobs import views as job_views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/facts/<int:year>/", views.facts_edit, name="facts_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("carriers/", views.carrier_list, name="carrier_list"),
    path("carriers/<int:pk>/", views.carrier_detail, name="carrier_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("inbox/badge/", views.inbox_badge, name="inbox_badge"),
    path("tasks/", job_views.job_list, name="job_list"),
    path("tasks/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("tasks/<int:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("tasks/<int:pk>/download/", job_views.job_download, name="job_download"),
    path("tasks/<int:pk>/cancel/", job_views.job_cancel, name="job_cancel"),
]
