"""`partycare demo`: a believable demo organisation, set-based so the same generator scales to 1,000,000 members."""
