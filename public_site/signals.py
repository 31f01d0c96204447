from django.db.models.signals import post_save
from django.dispatch import receiver

from coordination.models import Coalition

from .services import ensure_guide


# Runs after members' receiver (apps are ready in INSTALLED_APPS order), so the
# new coalition's response areas exist when its guide steps name them.
@receiver(post_save, sender=Coalition, dispatch_uid="coalition_default_guide")
def give_new_coalition_a_guide(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_guide(instance)
