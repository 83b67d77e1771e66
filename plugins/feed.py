"""feed: placeholder, being written."""
