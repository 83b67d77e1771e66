"""The site stage: pages, rendering page bodies, and the checks of the finished site."""
