"""privacy_guard: placeholder, being written."""
