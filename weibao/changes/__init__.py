"""Change requests approved by the bureau, data-access requests (issue 17)."""
