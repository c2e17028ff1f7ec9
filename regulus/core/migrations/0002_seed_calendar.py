"""Seed the holiday table from the chinesecalendar package, every year it knows from 2020.

Reversible: going back deletes what this loaded. Uses the historical models (apps.get_model),
so the logic is repeated here rather than imported from core.calendar.
"""

import datetime as dt

from django.db import migrations

FIRST_YEAR = 2020


def load(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    year = FIRST_YEAR
    while True:
        rows = []
        day = dt.date(year, 1, 1)
        try:
            while day.year == year:
                working = chinese_calendar.is_workday(day)
                if working != (day.weekday() < 5):
                    _, name = chinese_calendar.get_holiday_detail(day)
                    rows.append(CalendarDay(date=day, kind="workday" if working else "holiday",
                                            name=NAMES.get(str(name), str(name or ""))))
                day += dt.timedelta(days=1)
        except NotImplementedError:
            break
        CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinesecalendar"})
        year += 1


def unload(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(date__year__gte=FIRST_YEAR).delete()
    apps.get_model("core", "CalendarYear").objects.filter(year__gte=FIRST_YEAR).delete()


NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
