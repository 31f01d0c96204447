from django.urls import include, path

from . import views

coalition_patterns = [
    path("actions/", views.action_list, name="action_list"),
    path("actions/new/", views.action_form, name="action_create"),
    path("actions/review/", views.review_board, name="review_board"),
]

action_patterns = [
    path("<int:pk>/", views.action_detail, name="action"),
    path("<int:pk>/edit/", views.action_form, name="action_edit"),
]

meeting_patterns = [
    path("<int:pk>/actions/", views.meeting_actions, name="meeting_actions"),
    path("<int:pk>/agenda/open-actions/", views.agenda_open_items, name="agenda_open_items"),
]

urlpatterns = [
    path("c/<slug:coalition_slug>/", include(coalition_patterns)),
    path("meetings/", include(meeting_patterns)),
    path("actions/", include(action_patterns)),
]
