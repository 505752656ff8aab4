"""Helpers of bench/load_test.py: the server it starts, the HTTP client, the scenario
mix and the statistics it prints."""
