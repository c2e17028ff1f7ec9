"""Credit's rule versions, read for a date (never literals in code): the annual-report
window of a report year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from regulus.credit.models import AbnormalRule, PublicationRule, ReportWindowRule


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


def publication_rule_on(day: dt.date) -> PublicationRule:
    """The publication and repair rule version in force on `day`."""
    rule = (
        PublicationRule.objects.filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise ValidationError(f"{day}没有适用的信用信息公示与修复规则，请管理员补充")
    return rule


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# Penalty kinds the enforcement hand-over names (topic "enforcement.penalty", data
# "penalty_kinds"), and those whose publication may not be stopped early (Order 45 Art 14:
# stop-production orders, licence revocation and the like).
PENALTY_KINDS = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "suspension": "责令停产停业",
    "revocation": "吊销许可证件",
}
UNREPAIRABLE_KINDS = frozenset({"suspension", "revocation"})


def penalty_publish_until(
    *, decided_on: dt.date, kinds: list[str], fine_fen: int, rule: PublicationRule
) -> dt.date | None:
    """The end of a penalty's publication (Order 45 Art 13): `penalty_short_months` for a
    warning or a fine up to the low amount alone, `penalty_long_years` otherwise; None for a
    warning alone, which is not published at all (Art 2)."""
    if set(kinds) <= {"warning"}:
        return None
    light = set(kinds) <= {"warning", "fine"} and fine_fen <= rule.penalty_low_fine_fen
    if light:
        return add_months(decided_on, rule.penalty_short_months)
    return add_months(decided_on, 12 * rule.penalty_long_years)
