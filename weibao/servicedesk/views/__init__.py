"""Service-desk pages, one module each: the ticket list (list), the ticket page and the
new-ticket form (ticket), the SLA policies (sla)."""
