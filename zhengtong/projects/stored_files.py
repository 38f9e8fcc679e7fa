"""Stored files of key projects: site photos of monthly reports, public (see lib/files.py).

They are re-encoded on upload, so no GPS position or camera data is published with them.
"""

from zhengtong.lib.files import StoredKind, register

register(
    StoredKind(
        prefix="progress",
        model="projects.ProgressPhoto",
        field="image",
        label="现场照片",
        public=True,
    )
)
