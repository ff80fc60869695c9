from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("mine/", views.contract_list, name="list"),
    path("new/", views.contract_create, name="create"),
    path("queue/", views.review_queue, name="queue"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/pdf/", views.contract_pdf, name="pdf"),
    path("<int:pk>/certificate/", views.contract_certificate, name="certificate"),
    path("<int:pk>/submit/", views.contract_submit, name="submit"),
    path("<int:pk>/lead/", views.contract_link_lead, name="link_lead"),
    path("<int:pk>/claim/", views.contract_claim, name="claim"),
    path("<int:pk>/release/", views.contract_release, name="release"),
    path("<int:pk>/register/", views.contract_register, name="register"),
    path("<int:pk>/return/", views.contract_return, name="return"),
    path("<int:pk>/refuse/", views.contract_refuse, name="refuse"),
]
