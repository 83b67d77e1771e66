"""search_zh: placeholder, being written."""
