"""The activation demo keeps its promises on any date and at any hour: trener has two groups
meeting today with attendance to take, three months of attendance with every kind of absence,
and follow-ups overdue, due, answered and unreachable."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from activation import services
from activation.allowance import allowances_for_programme
from activation.dates import add_months, month_start
from activation.models import AllowanceMonth, Attendance, FollowUp, Programme
from activation.views.coach import coach_day

WARSAW = ZoneInfo("Europe/Warsaw")

MOMENTS = [
    # A Monday just after midnight (the Sunday before is a weekend day without attendance).
    datetime.datetime(2026, 11, 30, 0, 30, tzinfo=WARSAW),
    # New Year's Eve late at night (a month and a year end).
    datetime.datetime(2026, 12, 31, 23, 30, tzinfo=WARSAW),
    # A Saturday, at the spring DST switch.
    datetime.datetime(2027, 3, 27, 23, 30, tzinfo=WARSAW),
    datetime.datetime(2027, 3, 28, 3, 30, tzinfo=WARSAW),
    # 29 February (a Tuesday), and 31 May (three months after a February end).
    datetime.datetime(2028, 2, 29, 12, 0, tzinfo=WARSAW),
    datetime.datetime(2028, 5, 31, 23, 30, tzinfo=WARSAW),
    # The last evening of a month (a Friday), and 1 March of a leap year just after midnight.
    datetime.datetime(2027, 4, 30, 23, 30, tzinfo=WARSAW),
    datetime.datetime(2028, 3, 1, 0, 30, tzinfo=WARSAW),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.isoformat())
@override_settings(DEMO=True)
def test_the_activation_demo_keeps_its_promises_on_any_date(db, moment):
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo")
        call_command("seed_demo")
        today = timezone.localdate()
        assert Programme.objects.count() == 5
        coach = User.objects.get(username="trener")
        groups, follow_ups = coach_day(coach, today)
        # trener coaches two groups, both meeting today, nobody's attendance saved yet.
        assert len(groups) == 2
        assert all(group["participants"] for group in groups)
        assert not Attendance.objects.filter(day=today).exists()
        # Every kind of absence, in the last three months.
        kinds = set(Attendance.objects.values_list("status", flat=True))
        assert kinds == {"present", "excused", "unexcused", "sick", "day_off", "other"}
        # Follow-ups: overdue, due soon, answered (in work), unreachable.
        assert FollowUp.objects.overdue(today).exists()
        soon = today + datetime.timedelta(days=14)
        assert FollowUp.objects.unanswered().filter(due_on__gte=today, due_on__lte=soon).exists()
        answers = set(FollowUp.objects.exclude(answer="").values_list("answer", flat=True))
        assert {"employed_same", "unreachable"} <= answers
        # kierownik closes last month of the CIS straight away: the centre's own rules are in
        # force from the groups' start, so nothing is missing; one participant has a bonus.
        manager = User.objects.get(username="kierownik")
        cis = Programme.objects.get(name="CIS Przystań")
        last_month = add_months(month_start(today), -1)
        lines = allowances_for_programme(cis, last_month)
        assert len(lines) == 6
        assert any(line.bonus > 0 for line in lines)
        assert all(line.amount > 0 for line in lines)
        # Every participant's working days recorded (Grupa B's too): nothing stops the closing.
        assert [line.unrecorded_days for line in lines] == [0] * 6
        services.allowance_month_close(by=manager, programme=cis, month=last_month)
        assert AllowanceMonth.objects.filter(programme=cis, month=last_month).exists()
