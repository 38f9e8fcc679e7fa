"""docs/features.md names every feature once, and every test it cites exists."""

import importlib
import re
from pathlib import Path

from django.test import SimpleTestCase

DOC = Path(__file__).resolve().parents[2] / "docs" / "features.md"
GROUPS = {"KP": 15, "SH": 14, "PF": 14, "WL": 12, "RD": 7, "X": 9}
ROW = re.compile(r"^\|\s*([A-Z]+\d+)\s*\|")


def rows() -> list[list[str]]:
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if ROW.match(line):
            found.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return found


def resolve(node: str) -> object:
    path, *names = node.split("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    target: object = module
    for name in names:
        target = getattr(target, name)
    return target


class FeaturesMatrixTestCase(SimpleTestCase):
    def test_the_ids_are_exactly_the_71_features(self) -> None:
        expected = {f"{g}{n}" for g, count in GROUPS.items() for n in range(1, count + 1)}
        ids = [row[0] for row in rows()]
        self.assertEqual(len(ids), len(set(ids)), "重复的编号")
        self.assertEqual(set(ids), expected)

    def test_every_row_has_six_columns_and_a_known_status(self) -> None:
        for row in rows():
            self.assertEqual(len(row), 6, row[0])
            self.assertIn(row[5], {"符合", "部分", "缺失"}, row[0])

    def test_every_named_test_exists(self) -> None:
        for row in rows():
            for node in filter(None, (n.strip() for n in row[4].split("<br>"))):
                with self.subTest(feature=row[0], node=node):
                    self.assertIn("::", node)
                    self.assertTrue(callable(resolve(node)))

    def test_a_row_marked_met_names_a_test(self) -> None:
        for row in rows():
            if row[5] == "符合":
                self.assertIn("::", row[4], row[0])
