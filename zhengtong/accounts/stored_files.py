"""Stored files of accounts: staff portraits, public for the on-duty board (see lib/files.py)."""

from zhengtong.lib.files import StoredKind, register

register(
    StoredKind(
        prefix="staff", model="accounts.User", field="photo", label="工作人员照片", public=True
    )
)
