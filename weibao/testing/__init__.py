"""Test support shared by every app's tests: factories, isolation checks, clock control."""
