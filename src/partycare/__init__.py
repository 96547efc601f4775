"""partycare — 党内激励关怀帮扶."""
