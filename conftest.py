import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Tests change only settings that make them faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
