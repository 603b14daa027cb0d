"""The simulator's own error: a world file that cannot be loaded."""

from __future__ import annotations

from vcdtpm.domain.errors import VcdTpmError


class WorldError(VcdTpmError):
    """A world file that cannot be loaded; the message names the path."""

    slug = "world-invalid"
    template = "{path}: {reason}"

    def __init__(self, path: str, reason: str):
        super().__init__(path=path, reason=reason)
        self.path = path
