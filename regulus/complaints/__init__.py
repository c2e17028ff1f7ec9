"""12315 投诉举报: one register for complaints, reports and enquiries, routing to the unit
responsible, the legal clocks of the rule version in force on the day of receipt, handling,
confidentiality of the complainant and reporter, and the complainant's rating."""
