"""Where action items store free text, for the archive scan
(coordination/stored_text.py): items and their updates. An update's
"changes" may quote an item's earlier values: a removal reaches them too."""

from django.urls import reverse

from coordination.stored_text import Source, register

from .models import ActionItem, ActionUpdate


def register_sources() -> None:
    register(
        Source(
            key="tasks.actionitem",
            model=ActionItem,
            fields=("title", "description", "status_reason"),
            coalition="coalition",
            label="Action item",
            where=lambda item: (f"Action item #{item.pk}", reverse("action", args=[item.pk])),
            copies=lambda item: [(ActionUpdate.objects.filter(item_id=item.pk), ("comment", "changes"))],
        )
    )
    register(
        Source(
            key="tasks.actionupdate",
            model=ActionUpdate,
            fields=("comment", "changes"),
            coalition="item__coalition",
            label="Update of an action item",
            where=lambda update: (
                f"An update of action item #{update.item_id}",
                reverse("action", args=[update.item_id]),
            ),
        )
    )
