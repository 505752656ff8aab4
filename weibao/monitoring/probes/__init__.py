"""The probe runner (``weibao probes``): asyncio checks, leases, compact result storage."""
