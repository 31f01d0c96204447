"""What members tells the apps above it, which it never imports."""

from django.dispatch import Signal

# A person left their agency (services.mark_left): apps above hand on what
# was theirs (tasks: their open action items). Sent with person, by.
person_left = Signal()
