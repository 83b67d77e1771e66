"""theme_assets: placeholder, being written."""
