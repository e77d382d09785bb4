"""Site registry (点位登记): versioned site configs that vision nodes run."""
