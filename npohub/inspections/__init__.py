"""Random spot checks (双随机、一公开): plans, verifiable draws, inspector conflicts, inspection records, findings, rectification orders, publication."""
