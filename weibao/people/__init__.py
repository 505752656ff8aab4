"""Staff of each contract: profiles, insurance, confidentiality agreements, qualifications; training plans and sessions (issue 17)."""
