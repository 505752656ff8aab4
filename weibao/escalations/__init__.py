"""Escalation policies: ordered steps that page people until someone acknowledges (issue 14)."""
