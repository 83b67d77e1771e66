"""The MkDocs bridge: the adapter plugin, builds, the preview server and the site folders."""
