"""gongkai's built-in plugins. Each module is one feature and uses only the public hooks."""
