"""Credit's rule versions, read for a date (never literals in code): the annual-report
window of a report year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from regulus.credit.models import ReportWindowRule


@dataclass(frozen=True)
class Window:
    """The filing window of one report year, under the rule version that set it."""

    year: int  # the report year (the window is in year + 1)
    opens: dt.date
    closes: dt.date  # the last day of filing on time
    corrections_close: dt.date
    rule: ReportWindowRule

    def is_open(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes

    @property
    def text(self) -> str:
        return (
            f"{self.year}年度报告报送期：{self.opens:%Y年%-m月%-d日}至{self.closes:%Y年%-m月%-d日}"
            f"（{self.rule.legal_basis}）"
        )


def window_for(year: int) -> Window:
    """The window of report year `year`: the rule version in force on 1 January of year + 1."""
    on = dt.date(year + 1, 1, 1)
    rule = (
        ReportWindowRule.objects.filter(valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise ImproperlyConfigured(f"no annual-report window rule in force on {on}")
    start = year + 1
    return Window(
        year=year,
        opens=dt.date(start, rule.opens_month, rule.opens_day),
        closes=dt.date(start, rule.closes_month, rule.closes_day),
        corrections_close=dt.date(start, rule.correction_closes_month, rule.correction_closes_day),
        rule=rule,
    )


def report_year_now(today: dt.date) -> int:
    """The report year being filed now (or last filed): the year before today's."""
    return today.year - 1
