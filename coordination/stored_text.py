"""The archive, cleaned: the privacy guard run over text already stored.

Text written since the guard came in was read as it was typed; the archive
was not (minutes back to 2013, imported from files, action items and their
updates, agenda notes, the public's messages, attachments). A scan reads all
of a coalition's stored text and keeps what it finds as `StoredFinding`s for
the organizers to review: each is removed with one click (`redact`) or
marked as not personal details with a reason (`dismiss`).

Each app registers where it stores free text with `register` (from its
apps.py, so this base imports none of them): the model, its fields, the path
to its coalition, how to name and link a row on the review page, and the
copies the app wrote of that text elsewhere (a meeting's history sentences,
an item's updates). Removing a finding replaces its words by "[removed]" in
the row, in every history record of the row, and in those copies; the search
documents are computed by PostgreSQL from the row, so the search forgets the
words in the same UPDATE. Files that cannot be rewritten safely (PDF, Word)
are deleted instead, and the list's downloads written before, which may hold
the words, are deleted too.

A finding keeps where it is and a keyed digest of its words, never the words:
the same words in the same place are the same finding at the next scan (a
dismissed one stays dismissed), and the page reads the words from the row."""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import privacy
from .models import ArchiveScan, Coalition, Export, Lease, StoredFinding

log = logging.getLogger(__name__)

REMOVED = "[removed]"
CHUNK = 2000  # rows read at a time
BATCH = 1000  # findings written at a time
CONTEXT = 60  # characters shown each side of a finding
LEASE = timedelta(hours=2)  # the longest a scan may take


@dataclass(frozen=True)
class Source:
    """Where an app stores free text.

    `where(row)` names the row for the review page and links to it, without
    quoting the text (a title may be what was found); `related` is what it
    reads through foreign keys. `copies(row)` gives the querysets and fields
    where the app wrote that text again. A file's text is read by `read(row)`
    and removed by `redact_file(row, strip)`, which writes it again through
    `strip(text)` (or deletes it) and says what it did."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    coalition: str
    label: str
    where: Callable[[models.Model], tuple[str, str]]
    related: tuple[str, ...] = ()
    copies: Callable[[models.Model], Iterable[tuple[models.QuerySet, tuple[str, ...]]]] = lambda row: ()
    read: Callable[[models.Model], str] | None = None
    redact_file: Callable[[models.Model, Callable[[str], str]], str] | None = None
    history: bool = field(default=True)
    # the coalition's history records, where the path to the coalition may
    # run through a row deleted since (a deleted meeting's minutes)
    history_coalition: Callable[[int], models.Q] | None = None

    def rows(self, coalition_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.coalition: coalition_id})

    def loaded(self) -> models.QuerySet:
        """Its rows with what `where` reads (select_related() of nothing would follow every key)."""
        rows = self.model._default_manager.all()
        return rows.select_related(*self.related) if self.related else rows

    def text(self, row: models.Model, name: str) -> str:
        return (self.read(row) if self.read else getattr(row, name)) or ""


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.key] = source


def source_choices() -> list[tuple[str, str]]:
    return sorted(((key, source.label) for key, source in SOURCES.items()), key=lambda pair: pair[1])


def digest(words: str) -> str:
    """The same words give the same digest on this deployment only: a
    phone number cannot be guessed back from it without the secret key."""
    return salted_hmac("roundtable.stored-finding", words, algorithm="sha256").hexdigest()


# --- Scanning -------------------------------------------------------------------


def _history(source: Source):
    """The source's history records (django-simple-history), or None."""
    return source.model.history if source.history and hasattr(source.model, "history") else None


def _texts(source: Source, coalition_id: int) -> Iterable[tuple[int, str, str]]:
    """(row, field, text) of every stored text of the source in the coalition:
    the rows, then each version in their history that differs from the one
    before (a deleted row's words, or words edited out, are still there)."""
    rows = source.rows(coalition_id)
    if source.read:
        for row in (rows.select_related(*source.related) if source.related else rows).iterator(chunk_size=200):
            yield row.pk, source.fields[0], source.read(row)
        return
    for pk, *values in rows.values_list("pk", *source.fields).iterator(chunk_size=CHUNK):
        for name, text in zip(source.fields, values, strict=True):
            if text:
                yield pk, name, text
    history = _history(source)
    if history is None:
        return
    if source.history_coalition:
        mine = source.history_coalition(coalition_id)
    else:
        mine = models.Q(**{source.coalition: coalition_id})
    versions = history.filter(mine).order_by("id", "history_id")
    last_id, last = None, ()
    for pk, *values in versions.values_list("id", *source.fields).iterator(chunk_size=CHUNK):
        for index, (name, text) in enumerate(zip(source.fields, values, strict=True)):
            if text and (pk != last_id or text != last[index]):
                yield pk, name, text
        last_id, last = pk, values


def under_way(coalition: Coalition) -> ArchiveScan | None:
    """The coalition's scan asked for and not finished, if any (one that has
    not finished in LEASE is taken as lost: its worker died)."""
    latest = ArchiveScan.objects.filter(coalition=coalition).first()
    if latest and latest.finished_at is None and timezone.now() - latest.requested_at < LEASE:
        return latest
    return None


def run(record: ArchiveScan) -> ArchiveScan | None:
    """Read all of the coalition's stored text; keep what is new, mark what
    is no longer there. None when a scan of the coalition is under way."""
    with Lease.held(f"archive-scan-{record.coalition_id}", LEASE) as mine:
        if not mine:
            return None
        record.started_at = timezone.now()
        ArchiveScan.objects.filter(pk=record.pk).update(started_at=record.started_at)
        return _scan(record)


def close(record: ArchiveScan) -> None:
    """A scan that will not run (another of the coalition was under way, or
    it failed): finished, so that it blocks no other."""
    ArchiveScan.objects.filter(pk=record.pk, finished_at__isnull=True).update(finished_at=timezone.now())


def scan(coalition: Coalition, user=None) -> ArchiveScan | None:
    """A scan at once, in this process (the command, the tests)."""
    return run(ArchiveScan.objects.create(coalition=coalition, requested_by=user))


def _scan(record: ArchiveScan) -> ArchiveScan:
    coalition = record.coalition
    now = timezone.now()
    seen: set[tuple[str, int, str, str]] = set()
    new: list[StoredFinding] = []
    texts = 0
    for source in SOURCES.values():
        for pk, name, text in _texts(source, coalition.pk):
            texts += 1
            for found in privacy.scan(text):
                key = (source.key, pk, name, digest(found.text))
                if key in seen:
                    continue
                seen.add(key)
                new.append(
                    StoredFinding(
                        coalition=coalition,
                        source=source.key,
                        object_id=pk,
                        field=name,
                        kind=found.kind,
                        digest=key[3],
                        found_at=now,
                    )
                )
            if len(new) >= BATCH:
                StoredFinding.objects.bulk_create(new, ignore_conflicts=True)
                new = []
    StoredFinding.objects.bulk_create(new, ignore_conflicts=True)
    # found again: words removed or edited out came back (a dismissal stays)
    # (not one dealt with while this scan read: its words were read before the removal)
    closed = StoredFinding.objects.filter(
        coalition=coalition,
        status__in=[StoredFinding.Status.REDACTED, StoredFinding.Status.GONE],
        resolved_at__lt=now,
    )
    back, gone = [], []
    for pk, *key in closed.values_list("pk", "source", "object_id", "field", "digest").iterator(chunk_size=CHUNK):
        if tuple(key) in seen:
            back.append(pk)
    # what was found before and is nowhere now, history included, was deleted with its history
    still = StoredFinding.objects.filter(coalition=coalition, status=StoredFinding.Status.OPEN)
    for pk, *key in still.values_list("pk", "source", "object_id", "field", "digest").iterator(chunk_size=CHUNK):
        if tuple(key) not in seen:
            gone.append(pk)
    for start_at in range(0, len(back), BATCH):
        StoredFinding.objects.filter(pk__in=back[start_at : start_at + BATCH]).update(
            status=StoredFinding.Status.OPEN, found_at=now, resolved_at=None, resolved_by=None
        )
    for start_at in range(0, len(gone), BATCH):
        StoredFinding.objects.filter(pk__in=gone[start_at : start_at + BATCH]).update(
            status=StoredFinding.Status.GONE, resolved_at=timezone.now()
        )
    record.texts = texts
    record.found = StoredFinding.objects.filter(coalition=coalition, found_at=now).count()
    record.finished_at = timezone.now()
    # (an update, not a save: a record deleted meanwhile is no error)
    ArchiveScan.objects.filter(pk=record.pk).update(texts=texts, found=record.found, finished_at=record.finished_at)
    return record


# --- Reading a finding back ---------------------------------------------------------


@dataclass
class Spot:
    """A finding on the review page: where it is, and its words in context
    (empty when they are no longer there)."""

    finding: StoredFinding
    where: str = ""
    url: str = ""
    before: str = ""
    words: str = ""
    after: str = ""
    earlier: bool = False  # the words are in an earlier version only

    @property
    def present(self) -> bool:
        return bool(self.words)


def _located(text: str, wanted: str) -> privacy.Finding | None:
    for found in privacy.scan(text):
        if digest(found.text) == wanted:
            return found
    return None


def _in_context(spot: Spot, text: str, located: privacy.Finding) -> None:
    first, last = max(0, located.start - CONTEXT), min(len(text), located.end + CONTEXT)
    spot.words = located.text
    spot.before = ("…" if first else "") + text[first : located.start]
    spot.after = text[located.end : last] + ("…" if last < len(text) else "")


def spots(findings: Iterable[StoredFinding]) -> list[Spot]:
    """The findings of a page with their rows: a query a source, and one
    more a source for words found only in a row's history. Each text is
    read once, however many findings it holds."""
    findings = list(findings)
    wanted: dict[str, set[int]] = {}
    for finding in findings:
        wanted.setdefault(finding.source, set()).add(finding.object_id)
    rows: dict[tuple[str, int], models.Model] = {}
    for key, ids in wanted.items():
        if source := SOURCES.get(key):
            rows.update({(key, pk): row for pk, row in source.loaded().in_bulk(ids).items()})
    texts: dict[tuple, str] = {}
    scanned: dict[tuple, list[privacy.Finding]] = {}

    def locate(key: tuple, text: str, wanted_digest: str) -> privacy.Finding | None:
        if key not in scanned:
            scanned[key] = privacy.scan(text)
        return next((f for f in scanned[key] if digest(f.text) == wanted_digest), None)

    result, earlier = [], []
    for finding in findings:
        spot = Spot(finding)
        source, row = SOURCES.get(finding.source), rows.get((finding.source, finding.object_id))
        if source is None:
            result.append(spot)
            continue
        if row is not None:
            spot.where, spot.url = source.where(row)
            key = (finding.source, finding.object_id, finding.field)
            if key not in texts:
                texts[key] = source.text(row, finding.field)
            if located := locate(key, texts[key], finding.digest):
                _in_context(spot, texts[key], located)
        else:
            spot.where = f"{source.label} #{finding.object_id}, deleted"
        if not spot.present and _history(source) is not None and finding.status == StoredFinding.Status.OPEN:
            earlier.append(spot)
        result.append(spot)
    _from_history(earlier, locate, scanned)
    return result


# Characters of earlier versions read again for a page of findings, at most:
# a finding beyond it shows without its words, and can still be removed.
HISTORY_BUDGET = 2_000_000


def _from_history(spots_: list[Spot], locate, scanned: dict) -> None:
    """Words kept only in earlier versions, shown from the newest that has
    them: a query a source, each distinct text read once."""
    by_source: dict[str, list[Spot]] = {}
    for spot in spots_:
        by_source.setdefault(spot.finding.source, []).append(spot)
    budget = HISTORY_BUDGET
    for key, waiting in by_source.items():
        source = SOURCES[key]
        names = sorted({spot.finding.field for spot in waiting})
        versions = _history(source).filter(id__in={spot.finding.object_id for spot in waiting})
        versions = versions.order_by("-history_id").values_list("id", *names)
        for pk, *values in versions.iterator(chunk_size=50):
            for name, text in zip(names, values, strict=True):
                for spot in waiting:
                    finding = spot.finding
                    if spot.present or finding.object_id != pk or finding.field != name or not text:
                        continue
                    same = (key, name, text)  # a text kept unchanged through many versions is read once
                    if same not in scanned:
                        if budget <= 0:
                            continue
                        budget -= len(text)
                    if located := locate(same, text, finding.digest):
                        _in_context(spot, text, located)
                        spot.earlier = True
            if all(spot.present for spot in waiting):
                break


# --- Acting on a finding ---------------------------------------------------------------

# Of these kinds the words are the detail itself (a number, an address, a
# handle, a victim's first name): removed wherever they stand as words in
# the row, its history and its copies. A date or an age is removed only where
# the guard finds it again, so the "16" of "June 16" and "in 2016" of "began
# in 2016" stay.
EVERYWHERE = {"phone", "email", "address", "ssn", "id", "plate", "handle", "name"}


def _stripped(value, wanted: str, words: str, limit: int | None, everywhere: bool = False):
    """The value without the finding's words, cut to the column's length
    ("[removed]" may be longer than a name)."""
    if not isinstance(value, str) or words not in value:
        return value
    for found in reversed(privacy.scan(value)):
        if digest(found.text) == wanted:
            at = value.find(found.text, found.start)
            if at >= 0:
                value = value[:at] + REMOVED + value[at + len(found.text) :]
    if everywhere:
        value = re.sub(rf"(?<!\w){re.escape(words)}(?!\w)", REMOVED, value)
    if limit and len(value) > limit:
        cut = limit
        for found in privacy.scan(value):  # never half a detail left at the end
            if found.start < cut < found.end:
                cut = found.start
        value = value[:cut]
    return value


def _rewrite(
    queryset: models.QuerySet, names: tuple[str, ...], wanted: str, words: str, everywhere: bool = False
) -> list[int]:
    """Remove the words from those fields of the queryset's rows that hold
    them; the ids of the rows changed."""
    model = queryset.model
    limits = {
        name: model._meta.get_field(name).max_length
        if isinstance(model._meta.get_field(name), models.CharField)
        else None
        for name in names
    }
    holding = models.Q()
    for name in names:
        holding |= models.Q(**{f"{name}__contains": words})
    changed = []
    for row in queryset.filter(holding).only("pk", "id", *names).iterator(chunk_size=200):
        before = [getattr(row, name) for name in names]
        for name in names:
            setattr(row, name, _stripped(getattr(row, name), wanted, words, limits[name], everywhere))
        if [getattr(row, name) for name in names] != before:
            changed.append(row)
    for start_at in range(0, len(changed), 100):
        model._default_manager.bulk_update(changed[start_at : start_at + 100], list(names))
    return [row.id for row in changed]  # (of a history record, the row it is a version of)


def _find(source: Source, finding: StoredFinding):
    """The row (locked) and where the words are: in it, or else in the newest
    version of its history that has them. (None, None) when nowhere."""
    row = source.loaded().select_for_update(of=("self",)).filter(pk=finding.object_id).first()
    if row is not None and (located := _located(source.text(row, finding.field), finding.digest)):
        return row, located
    history = _history(source)
    if history is None or source.read:
        return None, None
    for version in history.filter(id=finding.object_id).order_by("-history_id").iterator(chunk_size=50):
        if located := _located(getattr(version, finding.field) or "", finding.digest):
            return row or version, located
    return None, None


@transaction.atomic
def redact(finding: StoredFinding, user) -> str | None:
    """Remove the finding's words from the row, its history and the app's
    copies of it, and say what was done; None when the words are nowhere now
    (the row or its history was changed or deleted since the scan).

    Removals in one coalition run one at a time (its row is locked first): two
    organizers removing words from an item and from its update at once would
    each write back a copy read before the other's removal."""
    list(Coalition.objects.select_for_update().filter(pk=finding.coalition_id).values_list("pk"))
    finding = StoredFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != StoredFinding.Status.OPEN:
        raise ValidationError("This finding was already dealt with.")
    source = SOURCES[finding.source]
    row, located = _find(source, finding)
    if located is None:
        _resolve(finding, StoredFinding.Status.GONE, user)
        return None
    words, wanted = located.text, finding.digest
    everywhere = finding.kind in EVERYWHERE
    touched = {(source.key, finding.object_id)}
    if source.redact_file:
        done = source.redact_file(row, lambda text: _stripped(text, wanted, words, None, everywhere))
        if not source.model._default_manager.filter(pk=finding.object_id).exists():
            # the file was deleted: whatever else was found in it went with it
            StoredFinding.objects.filter(
                source=source.key, object_id=finding.object_id, status=StoredFinding.Status.OPEN
            ).update(status=StoredFinding.Status.REDACTED, resolved_by=user, resolved_at=timezone.now())
    else:
        rows = source.model._default_manager.filter(pk=finding.object_id)
        _rewrite(rows, source.fields, wanted, words, everywhere)
        if (history := _history(source)) is not None:
            _rewrite(history.filter(id=finding.object_id), source.fields, wanted, words, everywhere)
        for queryset, names in source.copies(row):
            changed = _rewrite(queryset, names, wanted, words, everywhere)
            model = getattr(queryset.model, "instance_type", queryset.model)  # a history's model is its rows'
            keys = [other.key for other in SOURCES.values() if other.model is model]
            touched.update((key, pk) for key in keys for pk in changed)
        done = "Removed from the text, its earlier versions and the history."
    # the same words in the rows just cleaned (this row's other fields, the copies) went with them
    same = StoredFinding.objects.filter(
        coalition_id=finding.coalition_id, digest=wanted, status=StoredFinding.Status.OPEN
    )
    cleaned = [
        pk for pk, key, object_id in same.values_list("pk", "source", "object_id") if (key, object_id) in touched
    ]
    StoredFinding.objects.filter(pk__in=cleaned).update(
        status=StoredFinding.Status.REDACTED, resolved_by=user, resolved_at=timezone.now()
    )
    # downloads written before, or being written, may hold the words (each file goes with its row)
    Export.objects.filter(coalition_id=finding.coalition_id).delete()
    log.info("Finding %s (%s) removed by user %s.", finding.pk, finding.kind, getattr(user, "pk", None))
    return done


def dismiss(finding: StoredFinding, user, reason: str) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Say why this is not a victim's details: it is kept in the log.")
    if privacy.scan(reason):
        raise ValidationError("Write the reason without personal details.")
    with transaction.atomic():
        finding = StoredFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.status != StoredFinding.Status.OPEN:
            raise ValidationError("This finding was already dealt with.")
        finding.reason = reason[:300]
        _resolve(finding, StoredFinding.Status.DISMISSED, user)


def _resolve(finding: StoredFinding, status: str, user) -> None:
    finding.status = status
    finding.resolved_by = user
    finding.resolved_at = timezone.now()
    finding.save(update_fields=["status", "reason", "resolved_by", "resolved_at"])
