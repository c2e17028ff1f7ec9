"""行政处罚案件: clues (线索) from every source, the case on the penalty-procedure clocks,
documents (文书), payments, publication of decisions with masking, campaigns (专项行动)."""
