"""Credit's rule versions, read for a date (never literals in code): the annual-report
window of a report year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from regulus.credit.models import AbnormalRule, ReportWindowRule


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
        raise ValidationError({"year": f"{year}年度没有适用的年度报告报送期规则，请管理员补充"})
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


def abnormal_rule_on(day: dt.date) -> AbnormalRule:
    """The abnormal-list rule version in force on `day`."""
    rule = (
        AbnormalRule.objects.filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise ValidationError(f"{day}没有适用的经营异常名录规则，请管理员补充")
    return rule


def serious_transfer_on(listed_on: dt.date, rule: AbnormalRule) -> dt.date | None:
    """The day a listing would move to the serious-violation list under its rule version:
    only where the version has the rule (the 2014 Art 17) and the day falls while that
    version was in force. The 2024 revision deleted it: None for every listing after
    2024-05-01, and for older ones whose three years ran past 2024-04-30."""
    if not rule.serious_after_years:
        return None
    try:
        due = listed_on.replace(year=listed_on.year + rule.serious_after_years)
    except ValueError:  # 29 February
        due = listed_on.replace(year=listed_on.year + rule.serious_after_years, day=28)
    if rule.valid_to is not None and due > rule.valid_to:
        return None
    return due
