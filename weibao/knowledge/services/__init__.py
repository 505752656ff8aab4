"""What the knowledge base does, one module per idea: articles (write, version, publish),
votes ("was this helpful"), from_ticket (an article drafted from a ticket), synonyms and
sharing across contracts."""
