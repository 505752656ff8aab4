"""What the accounts domain does: log in, lock out, manage roles, second factor."""
