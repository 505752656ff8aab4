"""Escalation services: ``engine`` runs policies, ``ack_links`` issues and redeems the
one-click acknowledgement links, ``policies`` saves what the PM edits."""
