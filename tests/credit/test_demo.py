"""The credit demo seeder: a year of reports near 90 % per district, the unfiled listed after
the window, some removed, classes recomputed; runs once."""

from __future__ import annotations

from regulus.credit import demo, selectors
from regulus.credit.models import AbnormalListing, AnnualReport
from tests.credit.test_annual_reports import at
from tests.registry.conftest import make_entity


def test_demo_seeds_a_year_of_reports_and_listings_once(handler, outsider, city_handler):
    for n in range(60):
        make_entity(
            handler, f"长沙市芙蓉区演示{n:02d}号商行", kind="individual" if n % 2 else "enterprise"
        )
    with at("2026-12-06"):
        made = demo.seed(log=lambda s: None)
        assert demo.seed(log=lambda s: None) == 0
    assert made == AnnualReport.objects.count() > 40
    total = selectors.rate_total(selectors.filing_rate(city_handler, 2025))
    assert total.due == 60 and 80 <= (total.rate or 0) <= 100
    listed = AbnormalListing.objects.filter(report_year=2025)
    assert listed.count() == 60 - AnnualReport.objects.filter(late=False).count()
    assert set(listed.values_list("listed_on", flat=True)) == {listed.first().listed_on}
    assert listed.first().listed_on.isoformat() == "2026-07-01"


def test_demo_runs_the_serious_list_and_repair_through_the_services(handler, bureau):
    from regulus.credit.models import RepairApplication, SeriousListing
    from tests.conftest import make_staff

    make_staff("leader", bureau["city"], "局领导", full_name="周平平")
    for n in range(30):
        make_entity(handler, f"长沙市芙蓉区演示{n:02d}号有限公司", legal_rep_name="张三")
    with at("2026-12-06"):
        demo.seed(log=lambda s: None)
    states = set(SeriousListing.objects.values_list("state", flat=True))
    assert states == {"candidate", "notified", "listed", "removed"}
    removed = SeriousListing.objects.get(state="removed")
    assert "信用修复" in removed.removal_reason
    assert RepairApplication.objects.filter(state="approved").count() >= 1
