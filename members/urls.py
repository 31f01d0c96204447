from django.urls import include, path

from . import views

coalition_patterns = [
    path("invite/", views.invite, name="invite"),
    path("committees/new/", views.committee_form, name="committee_create"),
    path("committees/<slug:slug>/", views.committee_detail, name="committee"),
    path("committees/<slug:slug>/edit/", views.committee_form, name="committee_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/add/", views.member_add, name="member_add"),
    path("coverage/", views.coverage, name="coverage"),
    path("response-areas/", views.response_areas, name="response_areas"),
    path("response-areas/<int:area_pk>/", views.response_areas, name="response_area_edit"),
]

agency_patterns = [
    path("<int:pk>/", views.agency_detail, name="agency"),
    path("<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("<int:pk>/confirm/", views.agency_confirm, name="agency_confirm"),
    path("<int:pk>/roles/add/", views.role_form, name="role_add"),
    path("<int:pk>/roles/<int:role_pk>/", views.role_form, name="role_edit"),
    path("<int:pk>/people/add/", views.person_form, name="person_add"),
    path("<int:pk>/people/<int:person_pk>/", views.person_form, name="person_edit"),
    path("<int:pk>/people/<int:person_pk>/invite/", views.person_invite, name="person_invite"),
    path("<int:pk>/people/<int:person_pk>/left/", views.person_left, name="person_left"),
    path(
        "<int:pk>/people/<int:person_pk>/second-factor/reset/",
        views.person_second_factor_reset,
        name="person_second_factor_reset",
    ),
]

confirm_patterns = [
    path("<str:token>/", views.confirm_by_link, name="confirm_by_link"),
]

membership_patterns = [
    path("<int:pk>/", views.membership_edit, name="membership_edit"),
]

join_request_patterns = [
    path("<int:pk>/answer/", views.join_request_answer, name="join_request_answer"),
    path("<int:pk>/withdraw/", views.join_request_withdraw, name="join_request_withdraw"),
]

urlpatterns = [
    path("c/<slug:coalition_slug>/", include(coalition_patterns)),
    path("agencies/", include(agency_patterns)),
    path("memberships/", include(membership_patterns)),
    # A mail program's one-click unsubscribe (RFC 8058): no login, a signed link.
    path("email/unsubscribe/<str:token>/", views.email_unsubscribe, name="email_unsubscribe"),
    path("join-requests/", include(join_request_patterns)),
    path("confirm/", include(confirm_patterns)),
]
