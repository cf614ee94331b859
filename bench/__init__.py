"""NPOHub benchmark suite: platform beside its floor, same run, ratios (performance.md §7)."""
