from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.demand_list, name="demand_list"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/nda/", views.demand_nda, name="demand_nda"),
    path("demands/<int:pk>/lead/", views.demand_lead, name="demand_lead"),
    path("demands/<int:pk>/call/", views.call_new, name="call_new"),
    path("preview/", views.match_preview, name="match_preview"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/apply/", views.call_apply, name="call_apply"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead_move"),
    path("funnel/", views.city_funnel, name="city_funnel"),
]
