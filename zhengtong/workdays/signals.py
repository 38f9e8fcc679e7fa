"""Signals of the working-day calendar, for the apps built on it.

The calendar is a lower layer: it never imports the apps that count working days. When a
year's data arrives, it says so, and each app recomputes what waited for that year.
"""

from django.dispatch import Signal

# Sent after holiday data for `years` (a list of int) was loaded or maintained: by the
# load_holidays command (actor None) and by the CalendarYear admin (actor = the administrator).
# The sender is the CalendarYear model. Receivers run in the sender's transaction where there
# is one, so a failing receiver undoes the admin save it belongs to.
holidays_loaded = Signal()
