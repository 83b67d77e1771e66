"""results: placeholder, being written."""
