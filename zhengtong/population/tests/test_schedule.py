import datetime

from django.test import SimpleTestCase

from zhengtong.population import schedule

D = datetime.date


class AntenatalScheduleTestCase(SimpleTestCase):
    """FEATURES §3.2 worked example: LMP 2025-01-01."""

    def test_the_golden_lmp_gives_the_five_windows_of_the_national_schedule(self) -> None:
        windows = schedule.antenatal_windows(D(2025, 1, 1))
        self.assertEqual(
            [(w.kind, w.window_start, w.window_end) for w in windows],
            [
                ("first", D(2025, 1, 1), D(2025, 4, 1)),
                ("anc_16_20", D(2025, 4, 23), D(2025, 5, 27)),
                ("anc_21_24", D(2025, 5, 28), D(2025, 6, 24)),
                ("anc_28_36", D(2025, 7, 16), D(2025, 9, 16)),
                ("anc_37_40", D(2025, 9, 17), D(2025, 10, 14)),
            ],
        )

    def test_the_expected_delivery_is_280_days_after_the_lmp(self) -> None:
        self.assertEqual(schedule.expected_delivery(D(2025, 1, 1)), D(2025, 10, 8))

    def test_windows_follow_gestational_weeks_across_a_leap_day(self) -> None:
        first = schedule.antenatal_windows(D(2024, 1, 1))[0]
        self.assertEqual(first.window_end, D(2024, 1, 1) + datetime.timedelta(days=90))
        self.assertEqual(first.window_end, D(2024, 3, 31))


class PostpartumScheduleTestCase(SimpleTestCase):
    def test_delivery_and_discharge_give_the_home_visit_and_the_42_day_check(self) -> None:
        visit, check = schedule.postpartum_windows(D(2025, 10, 8), D(2025, 10, 10))
        self.assertEqual(
            (visit.kind, visit.window_start, visit.window_end),
            ("postpartum", D(2025, 10, 10), D(2025, 10, 17)),
        )
        self.assertEqual(
            (check.kind, check.window_start, check.window_end),
            ("day42", D(2025, 11, 19), D(2025, 11, 26)),
        )

    def test_a_high_risk_referral_is_followed_up_within_14_days(self) -> None:
        window = schedule.referral_window(D(2025, 6, 3))
        self.assertEqual((window.window_start, window.window_end), (D(2025, 6, 3), D(2025, 6, 17)))


class InputRulesTestCase(SimpleTestCase):
    today = D(2025, 11, 5)

    def test_an_lmp_in_the_future_is_refused(self) -> None:
        self.assertIn("晚于今天", schedule.lmp_error(D(2025, 11, 6), self.today))

    def test_an_lmp_of_exactly_44_weeks_ago_is_accepted_and_one_day_more_refused(self) -> None:
        self.assertEqual(schedule.lmp_error(D(2025, 1, 1), self.today), "")
        self.assertIn("44 周", schedule.lmp_error(D(2024, 12, 31), self.today))

    def test_a_delivery_before_the_lmp_and_a_discharge_before_delivery_are_refused(self) -> None:
        errors = schedule.delivery_errors(
            lmp=D(2025, 1, 1),
            delivered_on=D(2024, 12, 30),
            discharged_on=D(2024, 12, 29),
            today=self.today,
        )
        self.assertEqual(set(errors), {"delivered_on", "discharged_on"})
        self.assertIn("分娩日期", errors["delivered_on"])
        self.assertIn("出院日期", errors["discharged_on"])

    def test_dates_after_today_are_refused(self) -> None:
        errors = schedule.delivery_errors(
            lmp=D(2025, 1, 1),
            delivered_on=D(2025, 11, 6),
            discharged_on=D(2025, 11, 7),
            today=self.today,
        )
        self.assertEqual(set(errors), {"delivered_on", "discharged_on"})

    def test_a_same_day_discharge_is_accepted(self) -> None:
        errors = schedule.delivery_errors(
            lmp=D(2025, 1, 1),
            delivered_on=D(2025, 10, 8),
            discharged_on=D(2025, 10, 8),
            today=self.today,
        )
        self.assertEqual(errors, {})


class WindowStateTestCase(SimpleTestCase):
    def test_states_before_during_after_and_done(self) -> None:
        start, end = D(2025, 4, 23), D(2025, 5, 27)
        self.assertEqual(schedule.window_state(start, end, None, D(2025, 4, 22)), "upcoming")
        self.assertEqual(schedule.window_state(start, end, None, D(2025, 5, 27)), "open")
        self.assertEqual(schedule.window_state(start, end, None, D(2025, 5, 28)), "overdue")
        self.assertEqual(schedule.window_state(start, end, D(2025, 5, 1), D(2025, 6, 1)), "done")
        self.assertEqual(schedule.window_state(start, end, D(2025, 5, 30), D(2025, 6, 1)), "late")
