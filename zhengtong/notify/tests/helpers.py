"""Shared by the SMS tests: a port nothing listens on, and no proxy between test and stand-in."""

import os
import socket
from unittest import mock

from django.test import SimpleTestCase


def closed_port_url() -> str:
    """The URL of a port on 127.0.0.1 that was free a moment ago and has nothing listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class SmsTestCase(SimpleTestCase):
    """Requests to the stand-in never go through a proxy the environment may name."""

    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.dict(os.environ, {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
        patcher.start()
        self.addCleanup(patcher.stop)

    def start(self, standin):
        self.addCleanup(standin.stop)
        return standin
