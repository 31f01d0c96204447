"""A person's e-mail settings: the signed no-login link at the bottom of every
e-mail, and the one rule for whom Roundtable may e-mail.

The rule, for every kind of e-mail (its topic is registered with the ledger):
account mail (invitations to Roundtable, password resets) always goes out;
anything else goes to an active person who is not away, and only if they have
not turned off the topic's choice (meeting notices and requests follow
`receives_reminders`, the daily digest `receives_digest`). Someone the ledger
cannot match to a person may be e-mailed. The ledger applies it to each
batch before sending (`recipients_allowed`, registered from apps.py); sweepers
filter with the same pieces so they do not queue rows only to skip them.
"""

from datetime import date

from django.core import signing
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse

from coordination.mail import absolute_url
from coordination.models import Notification, User
from coordination.notifications import Topic

from .models import Person

# The salt of links already sent: changing it would break them.
SALT = "meetings.reminder-settings"
LINK_DAYS = 400


def settings_url(person: Person) -> str:
    return absolute_url(reverse("reminder_settings", args=[signing.dumps(person.pk, salt=SALT)]))


def settings_url_for(email: str) -> str | None:
    """The settings link of whoever receives at this address: a person, or a
    login (lead, organizer) linked to one."""
    person = (
        Person.objects.filter(email__iexact=email).first() or Person.objects.filter(user__email__iexact=email).first()
    )
    return settings_url(person) if person else None


def person_from_token(token: str) -> Person | None:
    try:
        person_id = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    # a person marked inactive (left the agency), or whose login is, has no settings page any more
    return Person.objects.filter(pk=person_id, is_active=True).exclude(user__is_active=False).first()


# Beyond being active and not away, the choice each topic follows.
OPT_OUTS: dict[Topic, str] = {Topic.REMINDERS: "receives_reminders", Topic.DIGEST: "receives_digest"}


def is_away(person: Person, today: date) -> bool:
    """Away until a date means nothing on that day either."""
    return person.away_until is not None and person.away_until >= today


def may_email(person: Person, topic: Topic, today: date) -> bool:
    """Whether this person may be e-mailed about the topic on `today` (their
    coalition's date)."""
    if topic == Topic.ACCOUNT:
        return True
    flag = OPT_OUTS.get(topic)
    return person.is_active and not is_away(person, today) and (flag is None or getattr(person, flag))


def wanting(topic: Topic, prefix: str = "") -> Q:
    """People who are active and have not turned the topic off, whatever the
    date (for a sweep whose dates differ by person); `prefix` reaches them
    through a relation, e.g. "person__"."""
    wants = Q(**{f"{prefix}is_active": True})
    if flag := OPT_OUTS.get(topic):
        wants &= Q(**{f"{prefix}{flag}": True})
    return wants


def may_email_filter(topic: Topic, today: date, prefix: str = "") -> Q:
    """`may_email` as a filter on people."""
    if topic == Topic.ACCOUNT:
        return Q()
    here = Q(**{f"{prefix}away_until__isnull": True}) | Q(**{f"{prefix}away_until__lt": today})
    return wanting(topic, prefix) & here


def may_email_users_filter(topic: Topic, today: date) -> Q:
    """`may_email` as a filter on logins: a lead's or organizer's mail follows
    their person's settings, if they have one."""
    return Q(person__isnull=True) | may_email_filter(topic, today, prefix="person__")


def recipients(notifications: list[Notification]) -> dict[int, Person]:
    """Whom each message is for: the person of its login, else the person at
    its address (an active one before an old record at the same address).
    Four queries for a batch at most, each through an index."""
    user_ids = {n.user_id for n in notifications if n.user_id}
    by_user = {p.user_id: p for p in Person.objects.filter(user_id__in=user_ids)} if user_ids else {}
    addresses = {n.email.upper() for n in notifications if not (n.user_id and n.user_id in by_user)}
    by_address: dict[str, Person] = {}
    if addresses:
        # Each through its e-mail index: a join, or an OR across the logins'
        # table, would read every person.
        found = [(p.address, p) for p in Person.objects.annotate(address=Upper("email")).filter(address__in=addresses)]
        logins = dict(
            User.objects.annotate(address=Upper("email")).filter(address__in=addresses).values_list("pk", "address")
        )
        if logins:
            found += [(logins[p.user_id], p) for p in Person.objects.filter(user_id__in=logins)]
        for address, person in sorted(found, key=lambda pair: (not pair[1].is_active, pair[1].pk)):
            by_address.setdefault(address, person)
    found_for: dict[int, Person] = {}
    for n in notifications:
        person = by_user.get(n.user_id) if n.user_id else None
        person = person or by_address.get(n.email.upper())
        if person is not None:
            found_for[n.pk] = person
    return found_for


def recipients_allowed(entries: list[tuple[Notification, Topic, date]]) -> set[int]:
    """The ledger asks this of each batch before composing: which rows may go."""
    people = recipients([n for n, topic, _ in entries if topic != Topic.ACCOUNT])
    allowed = set()
    for notification, topic, today in entries:
        person = people.get(notification.pk)
        if topic == Topic.ACCOUNT or person is None or may_email(person, topic, today):
            allowed.add(notification.pk)
    return allowed


# --- List-Unsubscribe (RFC 2369, one click by RFC 8058) --------------------------

UNSUBSCRIBE_SALT = "members.unsubscribe"


def unsubscribe_url(email: str, topic: Topic) -> str:
    """A link, signed and without login, that stops this topic's e-mails to this address."""
    token = signing.dumps([email, str(topic)], salt=UNSUBSCRIBE_SALT, compress=True)
    return absolute_url(reverse("email_unsubscribe", args=[token]))


def read_unsubscribe(token: str) -> tuple[str, Topic] | None:
    """The address and topic of a link, or None if it is broken, forged or
    older than the settings links' LINK_DAYS."""
    try:
        email, topic = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=LINK_DAYS * 86400)
        return email, Topic(topic)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def list_headers(notification: Notification, topic: Topic) -> dict[str, str]:
    """Every e-mail of the ledger but account mail names a link that stops its
    kind: one click (a POST by the mail program, RFC 8058) for a topic a person
    can turn off; for a notice about their agency's work, which cannot be
    turned off by itself, the link leads to their settings (pause while away)."""
    if topic == Topic.ACCOUNT:
        return {}
    if notification.kind == Notification.Kind.ACTION_DIGEST:
        topic = Topic.DIGEST  # a notice by the ledger's rule, but its own part of it is the person's choice
    headers = {"List-Unsubscribe": f"<{unsubscribe_url(notification.email, topic)}>"}
    if topic in OPT_OUTS:
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def people_at(email: str):
    """The people who receive at this address: by their own, or their login's
    (each found through its e-mail index, as recipients() does)."""
    address = email.upper()
    own = Person.objects.annotate(address=Upper("email")).filter(address=address).values_list("pk", flat=True)
    logins = User.objects.annotate(address=Upper("email")).filter(address=address).values_list("pk", flat=True)
    return Person.objects.filter(Q(pk__in=list(own)) | Q(user_id__in=list(logins)))


def unsubscribe(email: str, topic: Topic) -> int:
    """Turn the topic off for everyone at the address; how many were changed."""
    flag = OPT_OUTS.get(topic)
    if flag is None:
        return 0
    changed = 0
    for person in people_at(email).filter(**{flag: True}):
        setattr(person, flag, False)
        person.save(update_fields=[flag])  # with its history: who stopped what, and when
        changed += 1
    return changed
