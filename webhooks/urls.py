from django.urls import include, path

from . import views

coalition = [
    path("", views.webhook_list, name="webhooks"),
    path("add/", views.webhook_add, name="webhook_add"),
    path("<int:pk>/", views.webhook_detail, name="webhook"),
    path("<int:pk>/edit/", views.webhook_edit, name="webhook_edit"),
    path("<int:pk>/secret/", views.webhook_secret, name="webhook_secret"),
    path("<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("<int:pk>/redeliver-failed/", views.webhook_redeliver_failed, name="webhook_redeliver_failed"),
    path("<int:pk>/deliveries/<int:delivery_pk>/redeliver/", views.webhook_redeliver, name="webhook_redeliver"),
]

urlpatterns = [path("c/<slug:coalition_slug>/webhooks/", include(coalition))]
