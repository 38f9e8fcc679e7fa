"""Every action takes the audit chain's lock before any other, so actions cannot deadlock."""

import ast
import pathlib
from unittest import skipUnless

from django.db import connection, transaction
from django.test import SimpleTestCase, TransactionTestCase

from zhengtong.audit.chain import CHAIN_LOCK_KEY, audited_atomic, lock_chain

PACKAGE = pathlib.Path(__file__).resolve().parents[2]


def chain_lock_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            [CHAIN_LOCK_KEY],
        )
        return cursor.fetchone()[0] > 0


class ActionsUseTheChainLockTestCase(SimpleTestCase):
    def test_no_action_module_opens_a_plain_transaction_around_an_action(self) -> None:
        """A new action decorated with `transaction.atomic` would take its row locks before the
        chain's and could deadlock with another action; every action module uses
        `audited_atomic` instead."""
        offenders = []
        modules = [*PACKAGE.glob("*/actions.py"), *PACKAGE.glob("*/actions/*.py")]
        self.assertGreater(len(modules), 10)
        for path in modules:
            if path.parts[-2:] == ("audit", "actions.py"):
                continue  # record_event itself takes the lock inside its own block
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    for decorator in node.decorator_list:
                        if ast.unparse(decorator).startswith("transaction.atomic"):
                            offenders.append(f"{path.relative_to(PACKAGE)}:{node.name}")
        self.assertEqual(offenders, [])


@skipUnless(
    connection.vendor == "postgresql",
    "tests PostgreSQL's advisory lock; SQLite has none (its writers queue on BEGIN IMMEDIATE)",
)
class ChainLockTestCase(TransactionTestCase):
    def test_the_lock_is_held_to_the_end_of_the_transaction_and_released_after(self) -> None:
        with audited_atomic():
            self.assertTrue(chain_lock_held())
            with audited_atomic():  # nested: a savepoint, the same lock
                self.assertTrue(chain_lock_held())
            self.assertTrue(chain_lock_held())
        self.assertFalse(chain_lock_held())

    def test_a_failed_action_releases_the_lock(self) -> None:
        @audited_atomic
        def fails():
            raise ValueError("拒绝")

        with self.assertRaises(ValueError):
            fails()
        self.assertFalse(chain_lock_held())

    def test_the_lock_refuses_to_be_taken_outside_a_transaction(self) -> None:
        with self.assertRaises(RuntimeError):
            lock_chain()
        with transaction.atomic():
            lock_chain()
            self.assertTrue(chain_lock_held())
