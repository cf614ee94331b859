"""Complaints (投诉举报), penalty cases (行政处罚), and the dormant-organization clean-up (僵尸型社会组织)."""
