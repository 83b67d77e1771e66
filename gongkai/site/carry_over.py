"""What a `gongkai serve` rebuild carries over from the last build when the data did not change.

Editing a page of content/ changes no table. The model (records linked, derived flags, what
`extend_portal` added) is then the same as in the last build, so it is kept as it is, and so is what a
page plugin registered, when every page it registered names in `reads` what its body depends on
(a project's photos, a decision's minutes): its registrations are replayed unless one of the files
they read changed. A plugin with a page that does not declare `reads` registers again on every build.

The model is kept under a key of every input of the data side: each table's validation key (its
bytes, schema, settings, reference date and code), the data files, the commit checked out, and the
site's name, address, content folder and Markdown extensions. The history is read again on every
build (it also holds the uncommitted edits of content/'s pages), and so are the findings.
"""
from __future__ import annotations

from pathlib import Path

from gongkai.site.pages import digest
from gongkai.site.reads import file_stamp


class CarryOver:
    """The model and page registrations of the last build of this `serve` process."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.portal = None
        self.registrations: dict[str, tuple[tuple, list]] = {}  # plugin name -> (file stamps, register calls)

    @staticmethod
    def model_key(session, data) -> str | None:
        """A key of everything the model is made of, or None when it cannot be told (a table without a
        validation key: unreadable, or a plugin whose code cannot be hashed)."""
        files = data.context.files
        if not session.code_key or any(not data.keys.get(name) for name in files):
            return None
        config = session.config
        return digest(session.code_key, sorted(data.keys.items()), sorted(files.items()), session.repository_state,
                      session.site_url, session.site_name, str(config.docs_dir), repr(config.markdown_extensions))

    def kept_portal(self, key: str | None):
        """The last build's model when `key` is its key, else None (and nothing registered is kept)."""
        if key is not None and key == self.key:
            return self.portal
        self.registrations = {}
        return None

    def keep_portal(self, key: str | None, portal) -> None:
        self.key, self.portal = key, portal if key is not None else None

    def replay(self, plugin: str) -> list | None:
        """The register calls of `plugin` in the last build, when none of the files they read changed."""
        kept = self.registrations.get(plugin)
        if kept is None or kept[0] != _stamps(kept[1]):
            return None
        return kept[1]

    def keep_calls(self, plugin: str, calls: list) -> None:
        """Remember `plugin`'s register calls, if every page it registered declared `reads`."""
        if calls and all(kwargs.get("reads") is not None for _, kwargs in calls):
            self.registrations[plugin] = (_stamps(calls), calls)
        else:
            self.registrations.pop(plugin, None)


def _stamps(calls: list) -> tuple:
    """The size and modification time of every file the registered pages read."""
    return tuple(file_stamp(item) for _, kwargs in calls for item in kwargs["reads"] if isinstance(item, Path))
