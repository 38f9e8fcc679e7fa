"""Run libcoveoc4ids (the OC4IDS data review tool) on a package without the network: its schema
and codelist requests are answered from the vendored `oc4ids_schema/`, and any other request
fails the test."""

import io
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import urlparse

import requests
from libcoveoc4ids.api import oc4ids_json_output

from zhengtong.projects.oc4ids import SCHEMA_DIR


def _local_get(url: str, *args, **kwargs) -> requests.Response:
    name = Path(urlparse(url).path).name
    path = SCHEMA_DIR / ("codelists" if name.endswith(".csv") else "") / name
    if not path.is_file():
        raise AssertionError(f"libcoveoc4ids asked for {url}, which is not vendored")
    response = requests.Response()
    response.status_code = 200
    response.url = url
    response.raw = io.BytesIO(path.read_bytes())
    response.encoding = "utf-8"
    return response


def cove_review(package: dict) -> dict:
    """libcoveoc4ids' full result for `package` (validation_errors, additional_codes, ...)."""
    with mock.patch("libcove.lib.tools.requests.get", side_effect=_local_get):
        with tempfile.TemporaryDirectory() as output_dir:
            return oc4ids_json_output(output_dir=output_dir, json_data=package)
