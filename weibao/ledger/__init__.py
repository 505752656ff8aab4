"""The contract ledger: import from contract text, payments, proration, penalties, breach notices, force majeure, renewal, the obligations matrix (issue 16)."""
