"""Demo data built from the seed contract (HTDZ202602135). Safe to load twice."""


def load_all() -> str:
    """Load every app's demo data in dependency order; later issues append theirs. The
    seed's month of tickets (``month``) needs the desk, the knowledge base and the mailbox."""
    # Imported here, not at the top: this package is an installed app, and Django imports
    # it before the models are ready.
    from weibao.demo import (
        changes,
        escalations,
        incidents,
        knowledge,
        ledger,
        mail,
        monitoring,
        month,
        notifications,
        oncall,
        people,
        privacy,
        seed,
        servicedesk,
    )

    contracts = seed.load()
    servicedesk.load(contracts)
    knowledge.load(contracts)
    mail.load(contracts)
    month.load(contracts)
    privacy.load(contracts)
    people.load(contracts)
    notifications.load(contracts)
    oncall.load(contracts)
    escalations.load(contracts)
    monitoring.load(contracts)
    incidents.load(contracts)
    changes.load(contracts)
    ledger.load(contracts)
    return ", ".join(f"{c.number}" for c in contracts.values())
