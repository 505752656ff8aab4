"""Monitors of the service catalogue's components, the probe runner, heartbeats, availability, maintenance windows, status pages (issue 15)."""
