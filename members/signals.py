from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from coordination import privacy
from coordination.models import Coalition

from .models import Agency, ContactLine, Membership
from .rules import forget_agency_coalitions
from .services import ensure_default_response_areas


@receiver(post_save, sender=Coalition, dispatch_uid="coalition_default_response_areas")
def give_new_coalition_default_response_areas(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_default_response_areas(instance)


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="membership_forget_agency_coalitions")
def forget_coalitions_of_agency(sender, instance, **kwargs):
    """The agency object this membership was made with reads its coalitions again."""
    agency = instance._state.fields_cache.get("agency")
    if agency is not None:
        forget_agency_coalitions(agency)


@receiver([post_save, post_delete], sender=Agency, dispatch_uid="agency_published_contacts")
@receiver([post_save, post_delete], sender=ContactLine, dispatch_uid="line_published_contacts")
@receiver([post_save, post_delete], sender=Coalition, dispatch_uid="coalition_published_contacts")
def published_contacts_changed(sender, **kwargs):
    """A number published or withdrawn counts for the privacy guard at once in this
    process (the others read it again within PUBLIC_SECONDS)."""
    privacy.forget_public_contacts()
