"""Alert ingestion, incidents with levels and reporting duties, post-incident reviews, emergency plans and drills (issue 15)."""
