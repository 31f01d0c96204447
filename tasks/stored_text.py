"""Where action items store free text, for the archive scan
(coordination/stored_text.py): items and their updates. An update's
"changes" may quote an item's earlier values: a removal reaches them too."""

from django.urls import reverse

from coordination.stored_text import Source, register

from .models import ActionItem, ActionUpdate

ITEM_FIELDS = ("title", "description", "status_reason")


def register_sources() -> None:
    register(
        Source(
            key="tasks.actionitem",
            model=ActionItem,
            fields=ITEM_FIELDS,
            coalition="coalition",
            label="Action item",
            where=lambda item: (f"Action item #{item.pk}", reverse("action", args=[item.pk])),
            # (a row or, once deleted, a version of its history: both have `id`)
            copies=lambda item: [(ActionUpdate.objects.filter(item_id=item.id), ("comment", "changes"))],
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
            # an update's "changes" quote the item's values before and after
            copies=lambda update: [
                (ActionItem.objects.filter(pk=update.item_id), ITEM_FIELDS),
                (ActionItem.history.filter(id=update.item_id), ITEM_FIELDS),
                (ActionUpdate.objects.filter(item_id=update.item_id), ("comment", "changes")),
            ],
        )
    )
