"""Second factors: who must have one, signing in with one under the lockout,
recovery codes, the notices of a change, and an organizer's reset."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from coordination.models import CoalitionRole, Notification, SecurityEvent, User
from coordination.notifications import deliver
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    CoalitionFactory,
    CoalitionRoleFactory,
    MembershipFactory,
    PersonFactory,
    totp_code,
)

pytestmark = pytest.mark.django_db

AUTHENTICATE = reverse("mfa_authenticate")


def sign_in(client: Client, email: str, password: str = PASSWORD, address: str = "10.1.1.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def give_code(client: Client, code: str, address: str = "10.1.1.1"):
    return client.post(AUTHENTICATE, {"code": code}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def code_at(secret: str, step: int = 0) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


# --- Who must have one ------------------------------------------------------------


@pytest.mark.parametrize("role", [CoalitionRole.Role.ORGANIZER, CoalitionRole.Role.LEAD])
def test_an_organizer_or_lead_without_a_factor_reaches_only_the_page_that_adds_one(client, world, role):
    user = CoalitionRoleFactory(coalition=world.home, role=role, second_factor=False).user
    response = sign_in(client, user.email)
    assert signed_in(client)  # the password was enough to sign in: there is no factor to ask for
    for url in [
        reverse("dashboard"),
        reverse("coalition", args=[world.home.slug]),
        reverse("member_list", args=[world.home.slug]),
        reverse("action_list", args=[world.home.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_index")
    page = client.get(reverse("mfa_index"), follow=True)
    assert "Add a second factor before you go on" in page.content.decode()
    # their account's pages stay open, and signing out
    assert client.get(reverse("password_change")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("public_home")).status_code in (200, 302)
    assert client.post(reverse("logout")).status_code == 302
    assert not signed_in(client)


def test_adding_an_authenticator_app_opens_the_pages_and_is_logged_and_emailed(
    client, world, django_capture_on_commit_callbacks
):
    user = CoalitionRoleFactory(coalition=world.home, second_factor=False).user
    sign_in(client, user.email)
    page = client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown to type into an app, besides the QR code

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(reverse("mfa_activate_totp"), {"code": code_at(secret)})
    assert added.status_code == 302
    assert added["Location"] == reverse("mfa_view_recovery_codes")  # the codes come with the first factor
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {"totp", "recovery_codes"}
    assert client.get(reverse("dashboard")).status_code == 200

    event = SecurityEvent.objects.get(user=user, kind=SecurityEvent.Kind.FACTOR_ADDED, detail="an authenticator app")
    assert SecurityEvent.objects.filter(
        user=user, kind=SecurityEvent.Kind.FACTOR_ADDED, detail="recovery codes"
    ).exists()
    assert event.ip_address == "127.0.0.1"
    notice = Notification.objects.get(kind=Notification.Kind.SECURITY_NOTICE, object_id=event.pk)
    assert notice.email == user.email
    assert notice.status == Notification.Status.SENT
    sent = [m for m in mail.outbox if m.to == [user.email]]
    assert len(sent) == 1  # one e-mail for the app and the codes that came with it
    assert sent[-1].subject == "A second factor was added to your Roundtable account"
    assert "An authenticator app was added" in sent[-1].body


def test_a_member_needs_no_factor_unless_their_coalition_requires_one(world):
    member = world.client_for(world.member)
    assert member.get(reverse("dashboard")).status_code == 200

    world.home.require_second_factor = True
    world.home.save()
    member = Client()
    sign_in(member, world.member.email)
    response = member.get(reverse("coalition", args=[world.home.slug]))
    assert response["Location"] == reverse("mfa_index")
    # another coalition's members are not asked
    other = Client()
    sign_in(other, world.other_member.email)
    assert other.get(reverse("dashboard")).status_code == 200


def test_the_coalition_setting_is_the_organizers_and_asks_for_a_recent_sign_in(world, settings):
    url = reverse("coalition_security", args=[world.home.slug])
    for user in (world.lead, world.member):
        client = world.client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"require_second_factor": "on"}).status_code == 403
    assert world.client_for(world.other_member).get(url).status_code == 404

    organizer = world.client_for(world.organizer)
    page = organizer.get(url)
    assert "Organizers and leads always sign in with a second factor" in page.content.decode()
    response = organizer.post(url, {"require_second_factor": "on"}, follow=True)
    assert "Everyone in the coalition now adds a second factor" in response.content.decode()
    world.home.refresh_from_db()
    assert world.home.require_second_factor is True

    settings.REAUTH_MINUTES = 0  # an old sign-in: the password first
    stale = organizer.post(url, {})
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("confirm_identity"))
    world.home.refresh_from_db()
    assert world.home.require_second_factor is True


def test_the_last_factor_of_someone_who_must_have_one_cannot_be_removed(world):
    organizer = world.client_for(world.organizer)
    response = organizer.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(user=world.organizer, type="totp").exists()
    assert "cannot" in response.content.decode().lower()


def test_a_member_who_needs_none_may_remove_theirs(world, django_capture_on_commit_callbacks):
    Authenticator.objects.create(user=world.member, type="totp", data={"secret": TOTP_SECRET})
    member = world.client_for(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(reverse("mfa_deactivate_totp"), {})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.member, type="totp").exists()
    assert SecurityEvent.objects.filter(user=world.member, kind=SecurityEvent.Kind.FACTOR_REMOVED).exists()


# --- Signing in with one --------------------------------------------------------------


def test_an_organizer_signs_in_with_password_then_code(client, world):
    response = sign_in(client, world.organizer.email)
    assert response["Location"] == AUTHENTICATE
    assert not signed_in(client)  # not yet
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    page = client.get(AUTHENTICATE)
    assert "authenticator" in page.content.decode().lower()

    wrong = give_code(client, "123456")
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert not signed_in(client)

    right = give_code(client, totp_code())
    assert right.status_code == 302
    assert right["Location"] == reverse("dashboard")
    assert signed_in(client)
    assert client.get(reverse("coalition", args=[world.home.slug])).status_code == 200


def test_a_code_works_once(client, world):
    code = totp_code()
    sign_in(client, world.organizer.email)
    give_code(client, code)
    client.post(reverse("logout"))
    sign_in(client, world.organizer.email)
    again = give_code(client, code)
    assert again.status_code == 200
    assert not signed_in(client)


def test_wrong_codes_count_towards_the_lockout_and_end_the_pending_sign_in(client, world):
    sign_in(client, world.organizer.email)
    statuses = [give_code(client, "000000").status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4
    assert statuses[4] == 429  # the fifth wrong code locks, as a fifth wrong password does
    # the right code is refused now, and so is the password
    assert give_code(client, totp_code()).status_code in (302, 429)
    assert not signed_in(client)
    assert sign_in(client, world.organizer.email).status_code == 429
    # from another address the lockout does not hold (the pair is locked)
    elsewhere = Client()
    assert sign_in(elsewhere, world.organizer.email, address="10.9.9.9")["Location"] == AUTHENTICATE


def test_wrong_passwords_and_codes_add_up(client, world):
    for _ in range(3):
        sign_in(client, world.organizer.email, "wrong-password")
    sign_in(client, world.organizer.email)
    give_code(client, "000000")
    assert give_code(client, "000000").status_code == 429


def test_signing_in_resets_the_count(client, world):
    for _ in range(4):
        sign_in(client, world.organizer.email, "wrong-password")
    sign_in(client, world.organizer.email)
    give_code(client, totp_code())
    assert signed_in(client)
    client.post(reverse("logout"))
    for _ in range(4):
        sign_in(client, world.organizer.email, "wrong-password")
    assert sign_in(client, world.organizer.email)["Location"] == AUTHENTICATE


def test_a_recovery_code_signs_in_once_and_the_person_is_told(client, world, django_capture_on_commit_callbacks):
    codes = RecoveryCodes.activate(world.organizer).generate_codes()
    sign_in(client, world.organizer.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = give_code(client, codes[0])
    assert response.status_code == 302 and signed_in(client)
    event = SecurityEvent.objects.get(user=world.organizer, kind=SecurityEvent.Kind.RECOVERY_CODE_USED)
    assert event.detail == f"{len(codes) - 1} unused codes left"
    assert any("recovery code was used" in m.body for m in mail.outbox if m.to == [world.organizer.email])

    client.post(reverse("logout"))
    sign_in(client, world.organizer.email)
    assert give_code(client, codes[0]).status_code == 200
    assert not signed_in(client)


def test_the_administration_site_signs_in_through_the_same_login(client, world):
    world.organizer.is_staff = True
    world.organizer.save()
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_page_of_allauth_makes_or_changes_a_login(client, world):
    """Logins come from invitations, and e-mail addresses from organizers: none
    of allauth's own sign-up, e-mail or social pages is served."""
    for path in ["/accounts/signup/", "/accounts/email/", "/accounts/3rdparty/", "/accounts/password/set/"]:
        assert client.get(path).status_code == 404, path
        assert world.client_for(world.member).get(path).status_code == 404, path


# --- An organizer's reset ------------------------------------------------------------


@pytest.fixture
def member_with_factor(world):
    Authenticator.objects.create(user=world.member, type="totp", data={"secret": TOTP_SECRET})
    RecoveryCodes.activate(world.member)
    return world.member


def reset_url(world):
    person = world.member.person
    return reverse("person_second_factor_reset", args=[person.agency_id, person.pk])


def test_an_organizer_resets_a_members_factor_who_is_told(
    world, member_with_factor, django_capture_on_commit_callbacks
):
    organizer = world.client_for(world.organizer)
    agency_page = organizer.get(reverse("agency", args=[world.member_agency.pk])).content.decode()
    assert "Reset second factor" in agency_page
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer.post(reset_url(world), follow=True)
    assert "second factor is reset" in response.content.decode()
    assert not Authenticator.objects.filter(user=world.member).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.FACTOR_RESET)
    assert (event.user, event.actor) == (world.member, world.organizer)
    sent = [m for m in mail.outbox if m.to == [world.member.email]]
    assert sent[-1].subject == "Your second factor was reset"
    assert world.organizer.full_name in sent[-1].body

    # nothing left to reset: said so, and nothing logged twice
    again = organizer.post(reset_url(world), follow=True)
    assert "has no second factor to reset" in again.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.FACTOR_RESET).count() == 1


def test_only_the_agencys_organizers_may_reset(world, member_with_factor):
    other_organizer = CoalitionRoleFactory(coalition=world.other).user
    for user, status in [(world.lead, 403), (world.member, 403), (world.other_member, 404), (other_organizer, 404)]:
        response = world.client_for(user).post(reset_url(world))
        assert response.status_code == status, user
    assert Authenticator.objects.filter(user=world.member).count() == 2
    assert (
        "Reset second factor"
        not in world.client_for(world.lead).get(reverse("agency", args=[world.member_agency.pk])).content.decode()
    )
    assert world.client_for(world.organizer).get(reset_url(world)).status_code == 405


def test_a_reset_asks_an_old_sign_in_for_the_password_first(world, member_with_factor, settings):
    organizer = world.client_for(world.organizer)
    settings.REAUTH_MINUTES = 0
    response = organizer.post(reset_url(world))
    assert response["Location"].startswith(reverse("confirm_identity"))
    assert Authenticator.objects.filter(user=world.member).count() == 2


def test_after_a_reset_the_member_signs_in_with_the_password_alone(world, member_with_factor):
    world.client_for(world.organizer).post(reset_url(world))
    client = Client()
    response = sign_in(client, world.member.email)
    assert response["Location"] == reverse("dashboard")
    assert signed_in(client)


def test_the_notice_composes_from_the_event_alone(world):
    event = SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.FACTOR_REMOVED, user=world.member, detail="a passkey or security key"
    )
    notification = Notification.objects.create(
        kind=Notification.Kind.SECURITY_NOTICE, object_id=event.pk, email=world.member.email, user=world.member
    )
    deliver(notification.pk)
    message = mail.outbox[-1]
    assert message.subject == "A second factor was removed from your Roundtable account"
    assert "A passkey or security key was removed" in message.body
    assert "change your password now" in message.body


def test_a_new_organizer_in_a_coalition_already_signed_in_is_asked_at_the_next_sign_in(world):
    member = Client()
    sign_in(member, world.member.email)
    CoalitionRoleFactory(coalition=world.home, user=world.member, second_factor=False)
    assert member.get(reverse("dashboard")).status_code == 200  # this sign-in was made before
    member.post(reverse("logout"))
    sign_in(member, world.member.email)
    assert member.get(reverse("dashboard"))["Location"] == reverse("mfa_index")


def test_a_person_of_several_coalitions_is_asked_when_one_requires_it(world):
    third = CoalitionFactory(slug="trinity", require_second_factor=True)
    MembershipFactory(agency=world.member_agency, coalition=third)
    client = Client()
    sign_in(client, world.member.email)
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_index")


def test_people_without_a_login_have_nothing_to_reset(world):
    person = PersonFactory(agency=world.member_agency, user=None)
    url = reverse("person_second_factor_reset", args=[world.member_agency.pk, person.pk])
    assert world.client_for(world.organizer).post(url).status_code == 404


def test_a_used_code_is_kept_where_every_process_reads_it(client, world, settings, redis_url):
    """With REDIS_URL (production) the cache is Redis: the mark that a code was
    used is there, for every gunicorn worker to see, not in one process's memory."""
    import redis as redis_client
    from django.core.cache import cache

    from tests.conftest import forget_cache

    location = redis_url.replace("redis+socket://", "unix://", 1)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "roundtable-cache-test",
        }
    }
    forget_cache(cache)
    sign_in(client, world.organizer.email)
    give_code(client, totp_code())
    assert signed_in(client)
    server = redis_client.Redis.from_url(location)
    used = [key.decode() for key in server.scan_iter(match="roundtable-cache-test:*")]
    assert any("totp.used" in key for key in used), used
    forget_cache(cache)


def test_an_invitation_or_reset_link_is_no_way_around_the_second_factor(world):
    """Invitation and reset links share Django's token: either, for a login that
    has a factor, sets the password and then asks for the code."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.organizer
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    for name in ("invitation_accept", "password_reset_confirm"):
        client = Client()
        page = client.get(reverse(name, args=[uid, token]), follow=True)
        new = f"a-new-long-password-{name}"
        response = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
        assert SESSION_KEY not in client.session, name
        assert response["Location"] in (reverse("mfa_authenticate"), reverse("password_reset_complete")), name
        token = default_token_generator.make_token(User.objects.get(pk=user.pk))  # (the first link is spent)
    # the invitation's way continues at the code, and only then signs in
    client = Client()
    page = client.get(reverse("invitation_accept", args=[uid, token]), follow=True)
    client.post(
        page.redirect_chain[-1][0], {"new_password1": "yet-another-password", "new_password2": "yet-another-password"}
    )
    assert give_code(client, totp_code())["Location"] == reverse("dashboard")
    assert signed_in(client)


def test_an_organizer_of_one_coalition_cannot_reset_someone_who_also_stands_in_another(world, member_with_factor):
    """The agency belongs to both coalitions: the other coalition's organizer may
    not open the account of someone who stands in the home coalition too."""
    from tests.factories import MembershipFactory

    MembershipFactory(agency=world.member_agency, coalition=world.other)
    other_organizer = CoalitionRoleFactory(coalition=world.other).user
    assert world.client_for(other_organizer).post(reset_url(world)).status_code == 403
    assert Authenticator.objects.filter(user=world.member).count() == 2
    # an organizer of both may
    CoalitionRoleFactory(coalition=world.home, user=other_organizer)
    assert world.client_for(other_organizer).post(reset_url(world)).status_code == 302
    assert not Authenticator.objects.filter(user=world.member).exists()


def test_an_administrators_second_factor_is_never_reset_by_an_organizer(world, member_with_factor):
    User.objects.filter(pk=world.member.pk).update(is_staff=True)
    assert world.client_for(world.organizer).post(reset_url(world)).status_code == 403
    assert Authenticator.objects.filter(user=world.member).count() == 2


def test_administrators_need_a_second_factor_and_their_removals_are_logged_and_emailed(
    world, member_with_factor, django_capture_on_commit_callbacks
):
    from tests.factories import give_second_factor

    admin = User.objects.create_superuser(email="admin@example.org", password=PASSWORD, full_name="Ada Admin")
    client = Client()
    sign_in(client, admin.email)
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_index")  # no factor yet: none of it
    give_second_factor(admin)
    client = world.client_for(admin)
    app = Authenticator.objects.get(user=world.member, type="totp")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:mfa_authenticator_delete", args=[app.pk]), {"post": "yes"})
    assert response.status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.FACTOR_RESET, user=world.member)
    assert event.actor == admin and "administration site" in event.detail
    assert [m.subject for m in mail.outbox if m.to == [world.member.email]] == ["Your second factor was reset"]
    # what they hold is not edited there
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def test_while_a_factor_is_owed_the_admins_pages_and_htmx_parts_are_closed_too(client, world):
    user = CoalitionRoleFactory(coalition=world.home, second_factor=False).user
    sign_in(client, user.email)
    # the administration site's own "password_change" is not the account's page of that name
    assert client.get("/admin/password_change/")["Location"] == reverse("mfa_index")
    part = client.get(reverse("member_list", args=[world.home.slug]), HTTP_HX_REQUEST="true")
    assert part.status_code == 204 and part["HX-Redirect"] == reverse("mfa_index")


def test_a_reset_ends_the_members_open_sessions_and_no_one_elses(world, member_with_factor):
    theirs, another = Client(), Client()
    theirs.force_login(world.member)
    another.force_login(world.lead)
    assert theirs.get(reverse("dashboard")).status_code == 200
    world.client_for(world.organizer).post(reset_url(world))
    assert theirs.get(reverse("dashboard"))["Location"].startswith(reverse("login"))  # whoever held it: out
    assert another.get(reverse("dashboard")).status_code == 200
