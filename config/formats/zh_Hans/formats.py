"""Simplified Chinese number formats for NPOHub: counts group by three with "," (37,069), as
Chinese government statistics print them; Django's own zh_Hans formats have no separator.
Everything not set here (date formats, input formats) falls back to Django's zh_Hans module."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
