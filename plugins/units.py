"""units: placeholder, being written."""
