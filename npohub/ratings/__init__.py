"""Ratings: grade assessment (等级评估 1A–5A), monthly 10-point scoring and the annual star rating."""
