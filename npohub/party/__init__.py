"""Party building (党建): party organizations, work stations, instructors and liaisons, coverage."""
