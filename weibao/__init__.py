"""Weibao 维保: service management for government-service platform maintenance contracts."""
