"""The audit trail: who changed what, when, from where, and from what to what.

Built on django-simple-history. Each audited model declares `history = AuditedHistory(...)`,
which gives it a history table holding a full copy of the row after every change (created "+",
changed "~", deleted "-") with the user, the time, the change reason and the address the request
came from (`ip_address`, read as django-axes reads it, so behind load balancers it honours
AXES_IPWARE_PROXY_COUNT). `Model.history.as_of(moment)` gives the rows as they stood then.

Saves through the ORM, the back office and the pages are recorded by simple-history's signals
(its HistoryRequestMiddleware tells them the request). Bulk writes send no signals, so the
importers use `bulk_create_audited` / `bulk_update_audited` here, which write the history rows in
bulk too. Nothing in the app edits or deletes history: the audit pages are read-only, and the
history models are not in the back office.

A history row copies its model's links, so the audit log scopes it by its model's declared
`scoping` (strategy/scoping.py): an officer sees only their partnership's changes, within their
clearance, without this base app importing the apps built on it.
"""

import contextlib
import contextvars
import datetime
import io
import itertools

from django.db import connection, models, transaction
from django.db.models.signals import pre_delete
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from strategy.addresses import client_ip  # the address django-axes counts, proxies honoured

# model label ("actions.action") -> Audited: what the audit log knows about each audited model.
AUDITED = {}


class AuditedChange(models.Model):
    """Fields every history row has beyond simple-history's own."""

    ip_address = models.GenericIPAddressField(
        "from address", null=True, blank=True, help_text="Where the request that made the change came from."
    )

    class Meta:
        abstract = True


class Audited:
    def __init__(self, model, *, title, kind):
        self.model = model
        self.title = title  # fields that name the item in the log
        self.kind = kind  # what the log calls it

    @property
    def label(self):
        return self.model._meta.label_lower

    @property
    def history(self):
        return self.model.history.model

    def describe(self, row):
        parts = [str(getattr(row, name, "") or "") for name in self.title]
        text = " ".join(part for part in parts if part).strip()
        return text if len(text) <= 80 else f"{text[:77]}..."


class AuditedHistory(HistoricalRecords):
    """HistoricalRecords with the address column and what the audit log calls each row."""

    def __init__(self, *, title=("pk",), kind=None, author=None, **kwargs):
        kwargs.setdefault("bases", [AuditedChange])
        if author:
            kwargs.setdefault("get_user", _user_or_author(author))
        super().__init__(**kwargs)
        self.audit = {"title": tuple(title), "kind": kind}

    def copy_fields(self, model):
        # History rows are read by time, by object (id) and by who made the change, which stay
        # indexed; never by what they point to. An index per foreign key cost every bulk import
        # several more index entries per row written.
        self.no_db_index = [field.name for field in model._meta.fields if field.is_relation]
        return super().copy_fields(model)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            register(sender, **self.audit)


def _user_or_author(field):
    """Who made a change: the signed-in user of the request, else (a task, a command, the shell)
    the person the row itself names, e.g. an update's `created_by`."""

    def get_user(instance=None, request=None, **kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return getattr(instance, field, None) if instance is not None else None

    return get_user


def register(model, *, title=("pk",), kind=None):
    """Make `model`'s history (already set up by simple-history) part of the audit log."""
    AUDITED[model._meta.label_lower] = Audited(
        model,
        title=tuple(title),
        kind=kind or model._meta.verbose_name.capitalize(),
    )


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


# Where work done later on a request's behalf (an import the task worker applies) came from.
_acting_from = contextvars.ContextVar("swp_audit_acting_from", default=None)


@contextlib.contextmanager
def acting_from(address):
    """Record the changes made inside as made from `address` when no request is being served."""
    token = _acting_from.set(address)
    try:
        yield
    finally:
        _acting_from.reset(token)


def request_address(request=None):
    """The client's address for the request being served; outside a request, the address given to
    acting_from, else None."""
    request = request or current_request()
    if request is None:
        return _acting_from.get()
    address = client_ip(request)
    return address or None


def has_made_changes(user):
    """Whether the audit trail names `user` as having made any change (an update written, a row
    edited in the back office, an import): one EXISTS probe per audited model."""
    return any(audited.history.objects.filter(history_user=user).exists() for audited in AUDITED.values())


def _stamp_address(sender, history_instance, **kwargs):
    if isinstance(history_instance, AuditedChange) and history_instance.ip_address is None:
        history_instance.ip_address = request_address()


pre_create_historical_record.connect(_stamp_address, dispatch_uid="swp_audit_address")


def _clear_links_audited(sender, instance, **kwargs):
    """Before a row is deleted, clear the links to it that on_delete=SET_NULL would clear (an action's
    lead agency, a group's chair, an objective's priority) through the audit trail, so it records who
    cleared them and the history holds the cleared value for "as at" views. Django clears them with
    one UPDATE, which sends no signal; that UPDATE then finds nothing left to clear."""
    for relation in sender._meta.related_objects:
        model, field = relation.related_model, relation.field
        if relation.on_delete is not models.SET_NULL or not hasattr(model, "history"):
            continue
        if field.name not in {tracked.name for tracked in model.history.model.tracked_fields}:
            continue  # a field the history leaves out (e.g. an action's latest update)
        rows = list(model._default_manager.filter(**{field.name: instance.pk}))
        if not rows:
            continue
        for row in rows:
            setattr(row, field.attname, None)
        audited = AUDITED.get(sender._meta.label_lower)
        kind = audited.kind if audited else sender._meta.verbose_name.capitalize()
        bulk_update_audited(rows, model, [field.name], reason=f"{kind} deleted: {instance}")


pre_delete.connect(_clear_links_audited, dispatch_uid="swp_audit_cleared_links")


def _bulk_attrs():
    return {"ip_address": request_address()}


def bulk_create_audited(objs, model, *, by=None, reason="", batch_size=None):
    """`model.objects.bulk_create(objs)` with a "+" history row for each, in bulk."""
    if not hasattr(model, "history"):
        return model.objects.bulk_create(objs, batch_size=batch_size)
    objs = list(objs)
    if objs and _copyable(model) and all(obj.pk is None for obj in objs):
        with transaction.atomic(savepoint=False):
            _copy_new(objs, model)
            _copy_history(objs, model, "+", by=by, reason=reason)
        return objs
    return bulk_create_with_history(
        objs,
        model,
        batch_size=batch_size,
        default_user=_user(by),
        default_change_reason=reason[:100],
        custom_historical_attrs=_bulk_attrs(),
    )


# Kept: through bulk_create_with_history alone, importing a county-sized plan misses its time target.
# New rows and their history on PostgreSQL go in by COPY, with ids drawn from each table's sequence
# first, each value in COPY's text format, for the field types listed; a model with any other (JSON,
# binary) goes through simple-history and the ORM. The history rows hold what simple-history's
# HistoryManager.bulk_history_create would put in them.
COPY_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,  # and DateTimeField: aware datetimes, written with their offset
    models.DecimalField,
    models.ForeignKey,
    models.GenericIPAddressField,
    models.IntegerField,
    models.TextField,
)
COPY_PAGE = 5000
HISTORY_FILLED = {"history_date", "history_change_reason", "history_type", "ip_address", "history_user_id"}
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copyable(model):
    if connection.vendor != "postgresql":
        return False
    history = model.history.model
    tracked = {field.attname for field in history.tracked_fields} | HISTORY_FILLED | {"history_relation_id"}
    return (
        isinstance(model._meta.pk, (models.AutoField, models.BigAutoField))
        and all(isinstance(field, COPY_FIELDS) for field in (*model._meta.concrete_fields, *history._meta.fields))
        and all(field.primary_key or field.attname in tracked for field in history._meta.concrete_fields)
    )


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy(model, fields, rows):
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    rows = iter(rows)
    with connection.cursor() as cursor:
        # In pages, so a large import never holds all its rows as text at once.
        while page := list(itertools.islice(rows, COPY_PAGE)):
            text = io.StringIO("".join("\t".join(map(_copy_text, row)) + "\n" for row in page))
            cursor.cursor.copy_expert(sql, text)


def _copy_new(objs, model):
    for obj in objs:  # as bulk_create: a related object saved since it was assigned gives its id now
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding, obj._state.db = False, connection.alias
    fields = model._meta.concrete_fields
    _copy(model, fields, ([field.pre_save(obj, True) for field in fields] for obj in objs))


def _copy_history(objs, model, history_type, *, by, reason):
    history = model.history.model
    user = _user(by)
    constant = {
        "history_date": timezone.now(),
        "history_change_reason": reason[:100],
        "history_type": history_type,
        "ip_address": request_address(),
    }
    fields = [field for field in history._meta.concrete_fields if not field.primary_key]

    def row(obj):
        # As simple-history: the user given, else whoever the row itself names (an update's author).
        author = user if user is not None else history.get_default_history_user(obj)
        for field in fields:
            name = field.attname
            if name in constant:
                yield constant[name]
            elif name == "history_user_id":
                yield author.pk if author is not None else None
            elif name == "history_relation_id":
                yield obj.pk
            else:
                yield getattr(obj, name)

    _copy(history, fields, (list(row(obj)) for obj in objs))


def bulk_update_audited(objs, model, fields, *, by=None, reason="", batch_size=None):
    """`model.objects.bulk_update(objs, fields)` with a "~" history row for each, in bulk."""
    if not hasattr(model, "history"):
        return model.objects.bulk_update(objs, fields, batch_size=batch_size)
    return bulk_update_with_history(
        objs,
        model,
        fields,
        batch_size=batch_size,
        default_user=_user(by),
        default_change_reason=reason[:100],
        custom_historical_attrs=_bulk_attrs(),
    )


def record_changed(objs, model, *, by=None, reason=""):
    """Write "~" history rows for rows just changed by a QuerySet.update() (which sends no signal)."""
    objs = list(objs)
    if objs and hasattr(model, "history"):
        model.history.bulk_history_create(
            objs,
            update=True,
            default_user=_user(by),
            default_change_reason=reason[:100],
            custom_historical_attrs=_bulk_attrs(),
        )


def _user(by):
    if by is not None and getattr(by, "is_authenticated", False):
        return by
    request = current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# Reading the log ----------------------------------------------------------------------------------


CHANGE_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}
BOOKKEEPING = {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "ip_address"}


def display(field, value):
    """A value as the log shows it: choices by their label, dates as dates, blanks as blanks."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def changes(row, previous):
    """[(field name, from, to)] between a history row and the one before it for the same item."""
    # A model may keep a field out of the log's view (an API key's id holds its hash).
    hidden = BOOKKEEPING | set(getattr(getattr(row, "instance_type", None), "audit_hidden_fields", ()))
    fields = [f for f in row._meta.concrete_fields if f.name not in hidden]
    result = []
    for field in fields:
        new = display(field, getattr(row, field.attname))
        if row.history_type == "-":
            continue
        old = display(field, getattr(previous, field.attname)) if previous is not None else ""
        if previous is None and not new:
            continue
        if old != new:
            name = field.verbose_name if not field.is_relation else f"{field.verbose_name} (id)"
            result.append((str(name), old, new))
    return result
