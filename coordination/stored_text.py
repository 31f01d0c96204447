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
    and removed by `redact_file(row, words)`, which says what it did."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    coalition: str
    label: str
    where: Callable[[models.Model], tuple[str, str]]
    related: tuple[str, ...] = ()
    copies: Callable[[models.Model], Iterable[tuple[models.QuerySet, tuple[str, ...]]]] = lambda row: ()
    read: Callable[[models.Model], str] | None = None
    redact_file: Callable[[models.Model, set[str]], str] | None = None
    history: bool = field(default=True)

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


def _texts(source: Source, coalition_id: int) -> Iterable[tuple[int, str, str]]:
    """(row, field, text) of every stored text of the source in the coalition."""
    rows = source.rows(coalition_id)
    if source.read:
        for row in (rows.select_related(*source.related) if source.related else rows).iterator(chunk_size=200):
            yield row.pk, source.fields[0], source.read(row)
        return
    for pk, *values in rows.values_list("pk", *source.fields).iterator(chunk_size=CHUNK):
        for name, text in zip(source.fields, values, strict=True):
            if text:
                yield pk, name, text


def start(coalition: Coalition, user=None) -> ArchiveScan:
    """Ask a worker to scan the coalition's stored text, once the request commits."""
    from .tasks import scan_stored_text

    record = ArchiveScan.objects.create(coalition=coalition, requested_by=user)
    transaction.on_commit(lambda: scan_stored_text.delay(scan_id=record.pk))
    return record


def under_way(coalition: Coalition) -> ArchiveScan | None:
    """The coalition's scan asked for and not finished, if any (one that has
    not finished in LEASE is taken as lost: its worker died)."""
    latest = ArchiveScan.objects.filter(coalition=coalition).first()
    if latest and latest.finished_at is None and timezone.now() - latest.requested_at < LEASE:
        return latest
    return None


def run(record: ArchiveScan) -> ArchiveScan | None:
    """Read all of the coalition's stored text; keep what is new, mark what
    is no longer there. None when another scan of the coalition is under way."""
    with Lease.held(f"archive-scan-{record.coalition_id}", LEASE) as mine:
        if not mine:
            record.delete()
            return None
        return _scan(record)


def scan(coalition: Coalition, user=None) -> ArchiveScan | None:
    """A scan at once, in this process (the command, the tests)."""
    return run(ArchiveScan.objects.create(coalition=coalition, requested_by=user))


def _scan(record: ArchiveScan) -> ArchiveScan:
    coalition = record.coalition
    now = record.requested_at
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
    # what was found before and is not there now was changed or deleted since
    gone = [
        pk
        for pk, *key in StoredFinding.objects.filter(coalition=coalition, status=StoredFinding.Status.OPEN)
        .values_list("pk", "source", "object_id", "field", "digest")
        .iterator(chunk_size=CHUNK)
        if tuple(key) not in seen
    ]
    for start in range(0, len(gone), BATCH):
        StoredFinding.objects.filter(pk__in=gone[start : start + BATCH]).update(
            status=StoredFinding.Status.GONE, resolved_at=timezone.now()
        )
    record.texts = texts
    record.found = StoredFinding.objects.filter(coalition=coalition, found_at=now).count()
    record.finished_at = timezone.now()
    record.save(update_fields=["texts", "found", "finished_at"])
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

    @property
    def present(self) -> bool:
        return bool(self.words)


def _located(text: str, wanted: str) -> privacy.Finding | None:
    for found in privacy.scan(text):
        if digest(found.text) == wanted:
            return found
    return None


def spots(findings: Iterable[StoredFinding]) -> list[Spot]:
    """The findings of a page with their rows, one query a source."""
    findings = list(findings)
    wanted: dict[str, set[int]] = {}
    for finding in findings:
        wanted.setdefault(finding.source, set()).add(finding.object_id)
    rows: dict[tuple[str, int], models.Model] = {}
    for key, ids in wanted.items():
        source = SOURCES.get(key)
        if source is not None:
            found = source.loaded().in_bulk(ids)
            rows.update({(key, pk): row for pk, row in found.items()})
    result = []
    for finding in findings:
        spot = Spot(finding)
        source, row = SOURCES.get(finding.source), rows.get((finding.source, finding.object_id))
        if source is not None and row is not None:
            spot.where, spot.url = source.where(row)
            text = source.text(row, finding.field)
            located = _located(text, finding.digest)
            if located:
                first, last = max(0, located.start - CONTEXT), min(len(text), located.end + CONTEXT)
                spot.words = located.text
                spot.before = ("…" if first else "") + text[first : located.start]
                spot.after = text[located.end : last] + ("…" if last < len(text) else "")
        result.append(spot)
    return result


# --- Acting on a finding ---------------------------------------------------------------


def _replaced(value, words: set[str]):
    if not isinstance(value, str):
        return value
    for word in sorted(words, key=len, reverse=True):
        value = value.replace(word, REMOVED)
    return value


def _rewrite(queryset: models.QuerySet, names: tuple[str, ...], words: set[str]) -> int:
    """Replace the words in those fields of every row of the queryset that holds them."""
    holding = models.Q()
    for name in names:
        for word in words:
            holding |= models.Q(**{f"{name}__contains": word})
    changed = []
    for row in queryset.filter(holding).only("pk", *names).iterator(chunk_size=CHUNK):
        for name in names:
            setattr(row, name, _replaced(getattr(row, name), words))
        changed.append(row)
    queryset.model._default_manager.bulk_update(changed, list(names), batch_size=BATCH)
    return len(changed)


@transaction.atomic
def redact(finding: StoredFinding, user) -> str | None:
    """Remove the finding's words from the row, its history and the app's
    copies of it, and say what was done; None when the words are no longer
    there (someone changed or deleted the text since the scan)."""
    finding = StoredFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != StoredFinding.Status.OPEN:
        raise ValidationError("This finding was already dealt with.")
    source = SOURCES[finding.source]
    row = source.loaded().select_for_update(of=("self",)).filter(pk=finding.object_id).first()
    located = _located(source.text(row, finding.field), finding.digest) if row is not None else None
    if located is None:
        _resolve(finding, StoredFinding.Status.GONE, user)
        return None
    words = {located.text}
    if source.redact_file:
        done = source.redact_file(row, words)
    else:
        _rewrite(source.model._default_manager.filter(pk=row.pk), source.fields, words)
        if source.history and hasattr(source.model, "history"):
            _rewrite(source.model.history.filter(id=row.pk), source.fields, words)
        for queryset, names in source.copies(row):
            _rewrite(queryset, names, words)
        done = "Removed from the text, its earlier versions and the history."
    # the same words found in the row's other fields went with them
    same = StoredFinding.objects.filter(
        source=finding.source, object_id=finding.object_id, digest=finding.digest, status=StoredFinding.Status.OPEN
    )
    same.update(status=StoredFinding.Status.REDACTED, resolved_by=user, resolved_at=timezone.now())
    downloads = Export.objects.filter(coalition_id=finding.coalition_id, status=Export.Status.DONE)
    for export in downloads.exclude(file=""):
        export.file.delete(save=False)
    downloads.delete()
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
