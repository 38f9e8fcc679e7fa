import pytest


def pytest_configure(config):
    from django.conf import settings

    # Tests change only settings that make them faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The second factor is off by default in tests; the tests of it turn it on.
    settings.OTP_REQUIRED_ROLES = []
    # The audit chain needs a key; tests seal with the development key unless one is exported.
    settings.AUDIT_HMAC_DEV_KEY = True


@pytest.fixture(scope="session", autouse=True)
def _data_keys(request):
    """Make the data keys once, committed, as a running system has them: a key made inside a
    test's transaction is not cached (it might be rolled back), so every encrypted value would
    read the key table and every query count would depend on test order."""
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    from zhengtong.lib import encrypted
    from zhengtong.lib.datakeys import keys

    with request.getfixturevalue("django_db_blocker").unblock():
        # pytest-django sets up only the databases the collected tests ask for: none at all
        # when every collected test is database-free, and then there is no key table.
        if "datakeys_datakey" not in connection.introspection.table_names():
            return
        keys.current_key(encrypted.DATA_PURPOSE)
        keys.current_key(encrypted.INDEX_PURPOSE)


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test's database starts empty, so its audit checkpoints must too."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit-checkpoints", numbered=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the TransactionTestCases that flush without restoring last.

    Such a flush recreates the content types under new ids; a later test with
    serialized_rollback (the browser tests) then cannot restore the migrated rows. pytest-django
    has already put the database tests in order; this keeps that order otherwise.
    """
    from django.test import TestCase, TransactionTestCase

    def flushes_without_restoring(item) -> bool:
        cls = getattr(item, "cls", None)
        return (
            cls is not None
            and issubclass(cls, TransactionTestCase)
            and not issubclass(cls, TestCase)
            and not cls.serialized_rollback
        )

    items[:] = sorted(items, key=flushes_without_restoring)
