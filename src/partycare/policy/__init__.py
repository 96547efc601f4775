"""Policy packs: an organisation's intra-party incentive, care and assistance rules as versioned, validated data."""
