"""What the ledger does: payments, penalties, notices, renewal. Each service checks who
may call it (``contracts.access.require``) and audits money and approvals."""
