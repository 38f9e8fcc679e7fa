"""Encrypted model fields for ID numbers and phone numbers, searchable by a blind index.

A model declares three columns for one value::

    id_number = EncryptedField("身份证号", kind="id")
    id_number_index = BlindIndexField(unique=True)   # HMAC-SM3 of the normalised value
    id_number_mask = MaskField()                     # 110105********002X, for lists

The value column holds ``data key version (2 bytes) | SM4-GCM blob`` with
``aad = b"<table>.<column>"``, so a blob copied to another column or table does not open. The
attribute reads and writes the plain value; setting it also sets the index and the mask, so
``save``, ``bulk_create`` and ``bulk_update`` (listing all three fields) keep them together.

A row loaded as a model instance keeps the value sealed (``Sealed``) with its index and mask as
stored: a list that shows the masks decrypts nothing and computes no index. The first read of
the attribute decrypts it; assigning different text recomputes the companions; a save that did
not change the value writes the same blob back (re-sealed if its key version is not the
current one). ``values()``, ``values_list()`` and annotations decrypt as rows are fetched.
A phone searched by its last four digits also names a ``SuffixField`` (``suffix_field=``): the
last four digits kept in clear, indexed, filled the same way.

The value column cannot be filtered on (its blobs differ each save): exact-match lookups go
through ``match`` / ``blind_index``, which compare the index column. The index is keyed by the
``blind-index`` data key and the kind only, so the same ID number in two tables has the same
index (de-duplication across tables).
"""

from __future__ import annotations

import re
from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from zhengtong.lib import sm4
from zhengtong.lib.datakeys import keys
from zhengtong.lib.datakeys.keys import DataKeyError
from zhengtong.lib.masking import mask_id_internal, mask_phone_internal

DATA_PURPOSE = "pii"
INDEX_PURPOSE = "blind-index"
INDEX_VERSION = 1


def normalise_id(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def normalise_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


KINDS = {
    "id": (normalise_id, mask_id_internal),
    "phone": (normalise_phone, mask_phone_internal),
}


def blind_index(kind: str, value: str) -> str | None:
    """The index of a value: hex HMAC-SM3 of ``kind:normalised``; None for an empty value."""
    normalise = KINDS[kind][0]
    if not value or not (normal := normalise(value)):
        return None
    return sm4.hmac_sm3(_index_key(), f"{kind}:{normal}".encode()).hex()


def load_keys() -> None:
    """Fetch the current sealing key and the blind-index key now (they stay cached), for a
    caller that must not query later, such as a COPY that makes its rows as it streams."""
    keys.current_key(DATA_PURPOSE)
    _index_key()


def _index_key() -> bytes:
    try:
        return keys.get_key(INDEX_PURPOSE, INDEX_VERSION)
    except keys.MissingDataKey:
        return keys.current_key(INDEX_PURPOSE)[1]  # the first use makes version 1


class Sealed:
    """A value as its column holds it (key version and SM4-GCM blob), not opened yet.

    A model instance loaded from the database keeps its encrypted values in this form until
    the attribute is first read, so a list that shows only the stored masks decrypts nothing.
    """

    __slots__ = ("blob", "field")

    def __init__(self, blob: bytes, field: EncryptedField) -> None:
        self.blob = blob
        self.field = field

    @property
    def version(self) -> int:
        return int.from_bytes(self.blob[:2], "big")

    def open(self) -> str:
        return self.field.decrypt(self.blob)

    def __repr__(self) -> str:
        return f"<Sealed {self.field.model._meta.db_table}.{self.field.column}>"

    def __deepcopy__(self, memo) -> Sealed:
        return self  # immutable; a copied instance still saves the same blob back unopened


_DEFERRED = object()  # a companion column the query did not load


class _Descriptor(DeferredAttribute):
    """Reading opens a value loaded sealed; setting text sets its index and mask too.

    A value loaded from the database arrives as ``Sealed`` with its index and mask as stored:
    nothing is computed until the attribute is read (one decryption), and the companions are
    computed again only when different text is assigned.
    """

    field: EncryptedField

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            field = self.field
            data = instance.__dict__
            plain = value.open()
            data[field.attname] = plain
            # The row's companions were made from this text: keep them, and keep the blob for
            # a save that does not change the value.
            data[field.opened_key] = (value, plain)
            data[field.source_key] = (
                plain,
                tuple(data.get(name, _DEFERRED) for name in field.companion_attnames),
            )
            return plain
        return value

    def __set__(self, instance, value) -> None:
        field = self.field
        data = instance.__dict__
        data[field.attname] = value
        if isinstance(value, str):
            field.follow(data, value)


def last_digits(value: str, count: int = 4) -> str:
    """The last ``count`` digits of a value (a phone's 后四位); "" when it has fewer."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-count:] if len(digits) >= count else ""


class EncryptedField(models.BinaryField):
    """A short personal value (``kind`` "id" or "phone") stored SM4-GCM encrypted."""

    descriptor_class = _Descriptor
    # django-stubs: the attribute is text, whatever the column holds.
    _pyi_private_set_type: str
    _pyi_private_get_type: str  # type: ignore[assignment]

    def __init__(
        self,
        *args: Any,
        kind: str = "id",
        purpose: str = DATA_PURPOSE,
        index_field: str = "",
        mask_field: str = "",
        suffix_field: str = "",
        **kwargs: Any,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        self.kind = kind
        self.purpose = purpose
        self.index_field = index_field
        self.mask_field = mask_field
        self.suffix_field = suffix_field
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        for attr, default in (
            ("purpose", DATA_PURPOSE),
            ("index_field", ""),
            ("mask_field", ""),
            ("suffix_field", ""),
        ):
            if getattr(self, attr) != default:
                kwargs[attr] = getattr(self, attr)
        kwargs.pop("editable", None)
        # Field.deconstruct drops the Field defaults this field does not share.
        kwargs["blank"] = self.blank
        return name, path, args, kwargs

    @property
    def index_attname(self) -> str:
        return self.index_field or f"{self.name}_index"

    @property
    def mask_attname(self) -> str:
        return self.mask_field or f"{self.name}_mask"

    @property
    def suffix_attnames(self) -> tuple[str, ...]:
        return (self.suffix_field,) if self.suffix_field else ()

    @property
    def companion_attnames(self) -> tuple[str, ...]:
        """The index, the mask and (for a phone searched by 后四位) the suffix."""
        return (self.index_attname, self.mask_attname, *self.suffix_attnames)

    @property
    def source_key(self) -> str:
        return f"_{self.attname}_companions_of"

    @property
    def opened_key(self) -> str:
        return f"_{self.attname}_opened_from"

    def companions(self, value: str) -> tuple[Any, ...]:
        """The index, mask and suffix of ``value``, in ``companion_attnames`` order."""
        made: tuple[Any, ...] = (blind_index(self.kind, value), KINDS[self.kind][1](value.strip()))
        if self.suffix_field:
            made += (last_digits(value),)
        return made

    def follow(self, data: dict, value: str) -> None:
        """Set the companions of ``value`` in an instance's ``data``, computing them only if
        they were not made from the same text already (the cache is kept in ``data`` too:
        ``Model.__init__`` sets the companions to their defaults after the value, a save
        puts them back from there, and the same text assigned again computes nothing)."""
        made = data.get(self.source_key)
        if made is None or made[0] != value:
            made = (value, self.companions(value))
            data[self.source_key] = made
        for name, companion in zip(self.companion_attnames, made[1], strict=True):
            if companion is not _DEFERRED:
                data[name] = companion

    @property
    def aad(self) -> bytes:
        return f"{self.model._meta.db_table}.{self.column}".encode()

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        names = {f.attname for f in self.model._meta.local_fields}
        for attname in (self.index_attname, self.mask_attname, self.suffix_field):
            if attname and attname not in names:
                errors.append(
                    checks.Error(
                        f"{self.model.__name__}.{self.name} needs a field {attname!r}",
                        obj=self,
                        id="datakeys.E003",
                    )
                )
        return errors

    def _check_str_default_value(self):
        return []  # the attribute holds text; the column holds the blob made from it

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: filter with "
                f"zhengtong.lib.encrypted.match() (its blind index), not __{lookup_name}."
            )
        return super().get_lookup(lookup_name)

    def get_col(self, alias, output_field=None):
        if output_field is not None and output_field != self:
            return super().get_col(alias, output_field)
        return _SealedCol(alias, self)

    def pre_save(self, model_instance, add):
        data = model_instance.__dict__
        value = data.get(self.attname, _DEFERRED)
        if value is _DEFERRED:
            return super().pre_save(model_instance, add)
        if isinstance(value, str) and (opened := data.get(self.opened_key)) is not None:
            if value == opened[1]:
                return opened[0]  # unchanged since it was loaded: the blob as it was
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, Sealed):
            if value.field is self and value.version == keys.current_key(self.purpose)[0]:
                return connection.Database.Binary(value.blob)
            value = value.open()  # sealed under an older key (or for another column)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise TypeError(f"{self.name}: expected text, got {type(value).__name__}")
        version, key = keys.current_key(self.purpose)
        blob = version.to_bytes(2, "big") + sm4.seal(key, value.strip().encode(), self.aad)
        return connection.Database.Binary(blob)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return ""
        if getattr(expression, "for_instances", False):
            return Sealed(bytes(value), self)  # opened when the attribute is read
        return self.decrypt(bytes(value))  # values(), values_list(), an annotation

    def decrypt(self, blob: bytes) -> str:
        version = int.from_bytes(blob[:2], "big")
        key = keys.get_key(self.purpose, version)
        try:
            return sm4.open_sealed(key, blob[2:], self.aad).decode()
        except sm4.SealError as exc:
            raise DataKeyError(
                f"{self.model._meta.db_table}.{self.column} 的加密值无法解开(数据被改动,"
                f"或从别的列复制而来)。/ An encrypted value of "
                f"{self.model._meta.db_table}.{self.column} failed authentication."
            ) from exc

    def to_python(self, value):
        if isinstance(value, Sealed):
            return value.open()
        if isinstance(value, (bytes, memoryview)):
            return self.decrypt(bytes(value))
        return "" if value is None else value

    def value_to_string(self, obj) -> str:
        return str(self.value_from_object(obj) or "")

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(
            label=self.verbose_name, required=not self.blank, max_length=32, **kwargs
        )


class _SealedCol(Col):
    """The encrypted column in a SELECT. Among a model query's own columns (the rows become
    instances) its values stay sealed until read; for ``values()`` or an annotation they are
    decrypted as they are fetched."""

    for_instances = False

    def select_format(self, compiler, sql, params):
        query = compiler.query
        self.for_instances = query.default_cols and not any(
            expression is self for expression in query.annotation_select.values()
        )
        return super().select_format(compiler, sql, params)


class _Companion:
    """Follows its encrypted field on save: a model's ``__init__`` sets the fields in order,
    so a companion declared after its value field got its default there."""

    @cached_property
    def owner(self) -> EncryptedField | None:
        for field in self.model._meta.concrete_fields:  # type: ignore[attr-defined]
            if isinstance(field, EncryptedField) and self.attname in field.companion_attnames:  # type: ignore[attr-defined]
                return field
        return None

    def pre_save(self, model_instance, add):
        field = self.owner
        if field is not None:
            data = model_instance.__dict__
            value = data.get(field.attname)
            # A value still sealed was loaded with its companions; text has them recorded
            # (or gets them now, if it was put in the instance some other way).
            if isinstance(value, str):
                field.follow(data, value)
        return super().pre_save(model_instance, add)  # type: ignore[misc]


class BlindIndexField(_Companion, models.CharField):
    """Hex HMAC-SM3 of an encrypted field's normalised value; NULL when the value is empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["db_index"] = self.db_index  # True unless said otherwise (Field's is False)
        return name, path, args, kwargs


class MaskField(_Companion, models.CharField):
    """The value as staff lists show it (6+4 of an ID, 3+4 of a phone), kept for display."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class SuffixField(_Companion, models.CharField):
    """The last four digits of an encrypted phone, in clear and indexed (the 后四位 search)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


def with_companions(model, names) -> list[str]:
    """``names`` plus the index, mask and suffix of every encrypted field among them."""
    out = list(names)
    for name in names:
        field = model._meta.get_field(name)
        if isinstance(field, EncryptedField):
            extra = [field.index_attname, field.mask_attname, field.suffix_field]
            out += [n for n in extra if n and n not in out]
    return out


class SavesCompanions:
    """A model mixin: ``save(update_fields=[..., "phone"])`` saves the phone's index and mask
    with it, so a partial save never leaves a stale index behind."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_companions(type(self), kwargs["update_fields"])
        super().save(*args, **kwargs)  # type: ignore[misc]


def _field(model, name: str) -> EncryptedField:
    field = model._meta.get_field(name)
    if not isinstance(field, EncryptedField):
        raise TypeError(f"{model.__name__}.{name} is not an EncryptedField")
    return field


def index_lookup(model, name: str, value: str) -> dict[str, str | None]:
    """``filter(**index_lookup(Person, "id_number", text))``: exact match by the blind index."""
    field = _field(model, name)
    return {field.index_attname: blind_index(field.kind, value)}


def match(queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
    """The rows whose encrypted ``name`` equals ``value`` (normalised); none for an empty one."""
    lookup = index_lookup(queryset.model, name, value)
    if None in lookup.values():
        return queryset.none()
    return queryset.filter(**lookup)


def match_any(queryset: models.QuerySet, name: str, values) -> models.QuerySet:
    """The rows whose encrypted ``name`` is one of ``values`` (imports' de-duplication)."""
    field = _field(queryset.model, name)
    indexes = {i for v in values if (i := blind_index(field.kind, v))}
    return queryset.filter(**{f"{field.index_attname}__in": indexes})


def found_values(queryset: models.QuerySet, name: str, values, *extra: str) -> dict:
    """Which of ``values`` the rows hold, read from the index without decrypting a row.

    ``{value: (extra columns...)}`` for each value found, e.g. ``found_values(Person.objects,
    "id_number", numbers, "pk", "org_unit_id")``; with no ``extra``, ``{value: ()}``.
    """
    field = _field(queryset.model, name)
    by_index = {i: v for v in values if (i := blind_index(field.kind, v))}
    rows = queryset.filter(**{f"{field.index_attname}__in": by_index}).values_list(
        field.index_attname, *extra
    )
    return {by_index[index]: tuple(rest) for index, *rest in rows}


# --- Migrations: a clear-text column into its encrypted field, and back ----------------------


def encrypt_column(model, plain: str, name: str, *, batch_size: int = 1000) -> int:
    """Copy the clear-text column ``plain`` into the encrypted field ``name`` (with its index,
    mask and suffix), ``batch_size`` rows at a time; return the number of rows copied."""
    field = _field(model, name)
    update = [name, field.index_attname, field.mask_attname]
    if field.suffix_field:
        update.append(field.suffix_field)
    done, last = 0, None
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        chunk = list(rows.values_list("pk", plain)[:batch_size])
        if not chunk:
            return done
        objs = []
        for pk, value in chunk:
            obj = model(pk=pk)
            setattr(obj, name, (value or "").strip())
            objs.append(obj)
        model._base_manager.bulk_update(objs, update)
        done += len(chunk)
        last = chunk[-1][0]


def decrypt_column(model, name: str, plain: str, *, batch_size: int = 1000) -> int:
    """The reverse of ``encrypt_column``: the decrypted values back into ``plain``."""
    done, last = 0, None
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        chunk = list(rows.values_list("pk", name)[:batch_size])
        if not chunk:
            return done
        objs = []
        for pk, value in chunk:
            obj = model(pk=pk)
            setattr(obj, plain, value or "")
            objs.append(obj)
        model._base_manager.bulk_update(objs, [plain])
        done += len(chunk)
        last = chunk[-1][0]
