"""Annual reports (年度工作报告): calendar, sections per kind, validation, review conclusions, rectification, reminders."""
