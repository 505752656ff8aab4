"""7x24 duty: schedules, rotations, residency roster, holiday duty plans, coverage gaps, handovers, escalation policies, calendar feeds (issue 14)."""
