from django.db.models.signals import post_save
from django.dispatch import receiver

from coordination.models import Coalition

from .services import ensure_default_response_areas


@receiver(post_save, sender=Coalition, dispatch_uid="coalition_default_response_areas")
def give_new_coalition_default_response_areas(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_default_response_areas(instance)
