"""Credit information, the two credit lists (活动异常名录 / 严重违法失信名单) as a rule engine, objections, credit repair, barred persons, contact attempts, and the shared eligibility service."""
