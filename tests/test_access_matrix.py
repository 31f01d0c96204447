"""Who may open what: every URL pattern, as every kind of user, against the
demo coalitions, with the answer each must get written down as a table.

X is the Shasta coalition, Y Siskiyou. The roles (columns):
  anon     nobody logged in
  mem_a    a representative of the Sheriff's Office (in X only), on no committee
  cmte     Lena Ortiz of the same agency, on X's restricted Law Enforcement Working Group
  mem_b    a representative of Siskiyou CPS (in Y only)
  shared   a representative of the Highway Patrol, a member of both X and Y
  org_x    an organizer of X only
  org_y    an organizer of Y only
  lead_x   X's lead (chair), on no restricted committee

A download written by the worker (export, export_download) is the Sheriff's
member's (cmte), so no one else sees it, not even X's organizer;
"export_download:expired" is one of theirs past its time.

Rows are URL patterns with arguments from X (tests/demo_urls.py); a row named
"name:restricted" opens the same page on X's restricted committee (its
meeting, its item, its attachment), and "name:shared" on the Highway Patrol,
which only its own people (or an organizer of both X and Y) may change. Pages that only take POST are posted with
no data; each cell is its own test and its changes are rolled back.

The statuses: 200 a page, 302 a redirect (to the login page for anon, else on
to the next page: the form's own answer), 403 refused with a reason, 404
nothing there for this user, 405 the wrong method, 503 not ready (/readyz: no worker runs here),
410 a link no longer valid, 401 the page
of a sign-in with an agency's provider that failed (none is configured here: their pages are 404).
A new URL pattern without a row fails `test_every_url_pattern_has_a_row`."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from coordination.models import Export
from meetings.models import Attachment

from .demo_urls import ROLES, build_world, url_names

# fmt: off
# page                               anon mem_a  cmte mem_b shared org_x org_y lead_x
EXPECTED = """
account_login                        200   302   302   302   302   302   302   302
account_logout                       302   302   302   302   302   302   302   302
account_reauthenticate               302   200   200   200   200   200   200   200
action                               302   404   404   404   404   200   404   200
action:restricted                    302   404   200   404   404   200   404   404
action_create                        302   403   403   404   403   200   404   200
action_edit                          302   404   404   404   404   200   404   200
action_edit:restricted               302   404   403   404   404   200   404   404
action_list                          302   200   200   404   200   200   404   200
activity_create                      302   200   200   404   200   200   404   200
activity_delete                      302   403   403   404   403   302   404   302
activity_edit                        302   403   403   404   403   200   404   200
activity_list                        302   200   200   404   200   200   404   200
agency                               302   200   200   404   200   200   404   200
agency:shared                        302   200   200   200   200   200   200   200
agency_confirm                       302   302   302   404   403   302   404   403
agency_edit                          302   200   200   404   403   200   404   403
agency_edit:shared                   302   403   403   403   200   403   403   403
agenda                               302   403   403   404   403   200   404   403
agenda_item                          302   403   403   404   403   200   404   403
agenda_open_items                    302   403   403   404   403   302   404   403
api_token_revoke                     302   404   302   404   404   404   404   404
api_tokens                           302   200   200   200   200   200   200   200
attachment                           302   200   200   404   200   200   404   200
attachment:restricted                302   404   200   404   404   200   404   404
attachment_upload                    302   403   403   404   403   302   404   403
attendance                           302   403   403   404   403   200   404   403
autocomplete                         302   200   200   404   200   200   404   200
calendar_feed                        200   200   200   200   200   200   200   200
calendar_settings                    302   200   200   200   200   200   200   200
coalition                            302   200   200   404   200   200   404   200
coalition_security                   302   403   403   404   403   200   404   403
coalition_token_revoke               302   403   403   404   403   302   404   403
coalition_tokens                     302   403   403   404   403   200   404   403
committee                            302   200   200   404   200   200   404   200
committee:restricted                 302   404   200   404   404   200   404   404
committee_create                     302   403   403   404   403   200   404   403
committee_edit                       302   403   403   404   403   200   404   403
committee_edit:restricted            302   403   403   404   403   200   404   403
confirm_by_link                      200   200   200   200   200   200   200   200
confirm_identity                     302   200   200   200   200   200   200   200
coverage                             302   200   200   404   200   200   404   200
dashboard                            302   200   200   200   200   200   200   200
email_unsubscribe                    200   200   200   200   200   200   200   200
engagement                           302   403   403   404   403   200   404   200
export                               302   404   200   404   404   404   404   404
export_download                      302   404   200   404   404   404   404   404
export_download:expired              302   404   410   404   404   404   404   404
guide_edit                           302   403   403   404   403   200   404   403
guide_step_edit                      302   403   403   404   403   200   404   403
healthz                              200   200   200   200   200   200   200   200
home                                 302   302   302   302   302   302   302   302
inquiries                            302   403   403   404   403   200   404   403
invitation_accept                    302   302   200   302   302   302   302   302
invite                               302   403   403   404   403   200   404   403
join_request_answer                  302   302   302   404   403   302   404   403
join_request_withdraw                302   404   404   404   404   404   302   404
login                                200   302   302   302   302   302   302   302
meeting                              302   200   200   404   200   200   404   200
meeting:restricted                   302   404   200   404   404   200   404   404
meeting_actions                      302   403   403   404   403   200   404   403
meeting_actions:restricted           302   404   403   404   404   200   404   404
meeting_cancel                       302   403   403   404   403   302   404   403
meeting_create                       302   403   403   404   403   200   404   403
meeting_edit                         302   403   403   404   403   200   404   403
meeting_ics                          302   200   200   404   200   200   404   200
meeting_list                         302   200   200   404   200   200   404   200
meeting_search                       302   200   200   404   200   200   404   200
meeting_settings                     302   403   403   404   403   200   404   403
member_add                           302   403   403   404   403   200   404   403
member_list                          302   200   200   404   200   200   404   200
membership_edit                      302   403   403   404   403   200   404   403
metrics                              404   404   404   404   404   404   404   404
mfa_activate_totp                    302   200   200   200   200   302   302   302
mfa_add_webauthn                     302   200   200   200   200   200   200   200
mfa_authenticate                     302   302   302   302   302   302   302   302
mfa_deactivate_totp                  302   404   404   404   404   200   200   200
mfa_download_recovery_codes          302   404   404   404   404   404   404   404
mfa_edit_webauthn                    302   404   404   404   404   404   404   404
mfa_generate_recovery_codes          302   200   200   200   200   200   200   200
mfa_index                            302   200   200   200   200   200   200   200
mfa_list_webauthn                    302   200   200   200   200   200   200   200
mfa_reauthenticate                   302   302   302   302   302   200   200   200
mfa_reauthenticate_webauthn          302   302   302   302   302   302   302   302
mfa_remove_webauthn                  302   404   404   404   404   404   404   404
mfa_view_recovery_codes              302   404   404   404   404   404   404   404
minutes_approve                      302   403   403   404   403   403   404   302
minutes_edit                         302   403   403   404   403   200   404   403
minutes_edit:restricted              302   404   403   404   404   200   404   404
minutes_read                         302   200   200   404   200   200   404   200
minutes_read:restricted              302   404   200   404   404   200   404   404
notification_log                     302   403   403   404   403   200   404   403
notification_resend_failed           302   403   403   404   403   302   404   403
openid_connect_callback              404   404   404   404   404   404   404   404
openid_connect_login                 404   404   404   404   404   404   404   404
password_change                      302   200   200   200   200   200   200   200
password_change_done                 302   200   200   200   200   200   200   200
password_reset                       200   200   200   200   200   200   200   200
password_reset_complete              200   200   200   200   200   200   200   200
password_reset_confirm               302   302   200   302   302   302   302   302
password_reset_done                  200   200   200   200   200   200   200   200
person_add                           302   200   200   404   403   200   404   403
person_add:shared                    302   403   403   403   200   403   403   403
person_edit                          302   200   200   404   403   200   404   403
person_edit:shared                   302   403   403   403   200   403   403   403
person_invite                        302   403   403   404   403   302   404   403
person_left                          302   403   403   404   403   302   404   403
person_second_factor_reset           302   403   403   404   403   302   404   403
privacy_finding                      302   403   403   404   403   302   404   403
privacy_review                       302   403   403   404   403   200   404   403
public_coalition                     200   200   200   200   200   200   200   200
public_contact                       200   200   200   200   200   200   200   200
public_directory                     200   200   200   200   200   200   200   200
public_events_feed                   200   200   200   200   200   200   200   200
public_guide                         200   200   200   200   200   200   200   200
public_guide_embed                   200   200   200   200   200   200   200   200
public_home                          200   200   200   200   200   200   200   200
readyz                               503   503   503   503   503   503   503   503
reminder_settings                    200   200   200   200   200   200   200   200
report                               302   403   403   404   403   200   404   200
response_area_edit                   302   200   200   404   200   200   404   200
response_areas                       302   200   200   404   200   200   404   200
review_board                         302   403   403   404   403   200   404   200
role_add                             302   200   200   404   403   200   404   403
role_add:shared                      302   403   403   403   200   200   200   403
role_edit                            302   200   200   404   404   200   404   404
rsvp                                 302   302   302   404   302   302   404   302
rsvp_link                            410   410   410   410   410   410   410   410
security_log                         302   403   403   404   403   200   404   403
send_invitations                     302   403   403   404   403   302   404   403
series_create                        302   403   403   404   403   200   404   403
series_edit                          302   403   403   404   403   200   404   403
socialaccount_login_cancelled        200   200   200   200   200   200   200   200
socialaccount_login_error            401   401   401   401   401   401   401   401
switch_coalition                     302   404   404   404   404   404   404   404
webhook                              302   403   403   404   403   200   404   403
webhook_add                          302   403   403   404   403   200   404   403
webhook_delete                       302   403   403   404   403   302   404   403
webhook_edit                         302   403   403   404   403   200   404   403
webhook_redeliver                    302   403   403   404   403   302   404   403
webhook_redeliver_failed             302   403   403   404   403   302   404   403
webhook_secret                       302   403   403   404   403   200   404   403
webhook_test                         302   403   403   404   403   302   404   403
webhooks                             302   403   403   404   403   200   404   403
"""
# fmt: on


def expected() -> dict[str, dict[str, int]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        name, *codes = line.split()
        assert len(codes) == len(ROLES), f"row {name} has {len(codes)} columns"
        table[name] = dict(zip(ROLES, map(int, codes), strict=True))
    return table


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


def status_of(matrix, name: str, role: str) -> int:
    for attachment in Attachment.objects.all():  # each test has its own media folder
        default_storage.save(attachment.file.name, ContentFile(attachment.name.encode()))
    for export in Export.objects.all():
        default_storage.save(export.file.name, ContentFile(b"Action\r\nOne\r\n"))
    client = Client(raise_request_exception=False)
    if role != "anon":
        client.force_login(matrix["users"][role])
    url = matrix["urls"][name]
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(expected()))
def test_access(matrix, name, role):
    assert status_of(matrix, name, role) == expected()[name][role]


def test_every_url_pattern_has_a_row(matrix):
    assert {name.split(":")[0] for name in expected()} == url_names() - {"logout"}
    assert set(expected()) == set(matrix["urls"])
