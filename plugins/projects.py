"""projects: placeholder, being written."""
