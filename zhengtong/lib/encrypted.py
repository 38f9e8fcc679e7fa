"""Encrypted model fields for ID numbers and phone numbers, searchable by a blind index.

A model declares three columns for one value::

    id_number = EncryptedField("身份证号", kind="id")
    id_number_index = BlindIndexField(unique=True)   # HMAC-SM3 of the normalised value
    id_number_mask = MaskField()                     # 110105********002X, for lists

The value column holds ``data key version (2 bytes) | SM4-GCM blob`` with
``aad = b"<table>.<column>"``, so a blob copied to another column or table does not open. The
attribute reads and writes the plain value; setting it also sets the index and the mask, so
``save``, ``bulk_create`` and ``bulk_update`` (listing all three fields) keep them together.

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
from django.db.models.query_utils import DeferredAttribute

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


def _index_key() -> bytes:
    try:
        return keys.get_key(INDEX_PURPOSE, INDEX_VERSION)
    except keys.MissingDataKey:
        return keys.current_key(INDEX_PURPOSE)[1]  # the first use makes version 1


class _Descriptor(DeferredAttribute):
    """Setting the value sets its index and mask on the instance too."""

    field: EncryptedField

    def __set__(self, instance, value) -> None:
        field = self.field
        instance.__dict__[field.attname] = value
        if isinstance(value, str):
            instance.__dict__[field.index_attname] = blind_index(field.kind, value)
            instance.__dict__[field.mask_attname] = KINDS[field.kind][1](value.strip())


class EncryptedField(models.BinaryField):
    """A short personal value (``kind`` "id" or "phone") stored SM4-GCM encrypted."""

    descriptor_class = _Descriptor

    def __init__(
        self,
        *args: Any,
        kind: str = "id",
        purpose: str = DATA_PURPOSE,
        index_field: str = "",
        mask_field: str = "",
        **kwargs: Any,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        self.kind = kind
        self.purpose = purpose
        self.index_field = index_field
        self.mask_field = mask_field
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        for attr, default in (("purpose", DATA_PURPOSE), ("index_field", ""), ("mask_field", "")):
            if getattr(self, attr) != default:
                kwargs[attr] = getattr(self, attr)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    @property
    def index_attname(self) -> str:
        return self.index_field or f"{self.name}_index"

    @property
    def mask_attname(self) -> str:
        return self.mask_field or f"{self.name}_mask"

    @property
    def aad(self) -> bytes:
        return f"{self.model._meta.db_table}.{self.column}".encode()

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        names = {f.attname for f in self.model._meta.local_fields}
        for attname in (self.index_attname, self.mask_attname):
            if attname not in names:
                errors.append(
                    checks.Error(
                        f"{self.model.__name__}.{self.name} needs a field {attname!r}",
                        obj=self,
                        id="datakeys.E003",
                    )
                )
        return errors

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: filter with "
                f"zhengtong.lib.encrypted.match() (its blind index), not __{lookup_name}."
            )
        return super().get_lookup(lookup_name)

    def get_db_prep_value(self, value, connection, prepared=False):
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
        return self.decrypt(bytes(value))

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


class _Companion:
    """Recomputes itself from its encrypted field on save: a model's ``__init__`` sets the
    fields in order, so a companion declared after its value field got its default there."""

    def pre_save(self, model_instance, add):
        for field in model_instance._meta.concrete_fields:
            if isinstance(field, EncryptedField) and self.attname in (  # type: ignore[attr-defined]
                field.index_attname,
                field.mask_attname,
            ):
                value = model_instance.__dict__.get(field.attname)
                if isinstance(value, str):
                    _Descriptor(field).__set__(model_instance, value)
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


class MaskField(_Companion, models.CharField):
    """The value as staff lists show it (6+4 of an ID, 3+4 of a phone), kept for display."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


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
