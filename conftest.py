import pytest


def pytest_configure(config):
    from django.conf import settings

    # Tests change only settings that make them faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The audit chain needs a key; tests seal with the development key unless one is exported.
    settings.AUDIT_HMAC_DEV_KEY = True


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test's database starts empty, so its audit checkpoints must too."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit-checkpoints", numbered=True)
