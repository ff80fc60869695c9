from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.library, name="library"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("check/", views.visitor_check, name="visitor_check"),
    path("check/mine/", views.my_check, name="my_check"),
    path("organisations/<int:org_id>/check/", views.organisation_check, name="organisation_check"),
    path("organisations/<int:org_id>/facts/<int:year>/", views.organisation_facts, name="organisation_facts"),
    path("proactive/", views.proactive, name="proactive"),
    path("proactive/<int:pk>/", views.proactive_detail, name="proactive_detail"),
    path("proactive/<int:pk>/notify/", views.proactive_notify, name="proactive_notify"),
    path("proactive/<int:pk>/export.<str:fmt>", views.proactive_export, name="proactive_export"),
    path("simulate/", views.simulate, name="simulate"),
    path("simulate/results/<int:job_id>/", views.simulate_result, name="simulate_result"),
]
