"""Where VMs live: datastores, their datacenters (as file-service paths), VM folders and pools."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyVmomi import vim

from vcdtpm.adapters.vcenter import collector
from vcdtpm.domain.errors import BackendError, NotFound

PATHS: dict[type, Sequence[str]] = {
    vim.Datacenter: ("name", "parent", "vmFolder"),
    vim.Folder: ("name", "parent"),
    vim.Datastore: ("name", "parent"),
    vim.ComputeResource: ("name", "resourcePool", "datastore"),
}


@dataclass(frozen=True)
class Places:
    """The inventory's containers by moref, each with its type and properties."""

    objects: dict[str, tuple[type, dict]]

    def _of(self, kind: type) -> list[tuple[str, dict]]:
        return sorted(
            ((m, v) for m, (k, v) in self.objects.items() if issubclass(k, kind)),
            key=lambda item: item[1].get("name", ""),
        )

    def name(self, moref: str) -> str:
        return self.objects[moref][1].get("name", "")

    def datastore(self, name: str | None, among: tuple[str, ...] | None = None) -> str:
        """The moref of the datastore named `name` (the first by name when None),
        looked for `among` these morefs when given."""
        stores = [
            m
            for m, v in self._of(vim.Datastore)
            if (name is None or v.get("name") == name) and (among is None or m in among)
        ]
        if not stores:
            raise NotFound(kind="Datastore", id=name or "(any)")
        return stores[0]

    def datacenter_of(self, moref: str) -> str:
        """The moref of the datacenter holding an object."""
        current: str | None = moref
        while current in self.objects:
            kind, values = self.objects[current]
            if issubclass(kind, vim.Datacenter):
                return current
            current = _moref(values.get("parent"))
        raise NotFound(kind="Datacenter", id=f"(of {moref})")

    def datacenter_path(self, datacenter: str) -> str:
        """The datacenter's inventory path below the root folder: the file service's dcPath."""
        names: list[str] = []
        current: str | None = datacenter
        while current in self.objects:
            names.append(self.name(current))
            current = _moref(self.objects[current][1].get("parent"))
        return "/".join(reversed(names))

    def vm_folder(self, datacenter: str) -> str:
        return _moref(self.objects[datacenter][1].get("vmFolder")) or ""

    def pool_for(self, datastore: str, backend: str) -> str:
        """The root resource pool of the first compute resource that mounts the datastore."""
        for _, values in self._of(vim.ComputeResource):
            if datastore in {_moref(d) for d in values.get("datastore") or ()}:
                return _moref(values.get("resourcePool")) or ""
        raise BackendError(backend=backend, reason=f"no host mounts datastore {self.name(datastore)}")


def _moref(obj) -> str | None:
    return getattr(obj, "_moId", None)


def read(content: vim.ServiceContent) -> Places:
    """Datacenters, folders, datastores and compute resources, through one container view."""
    objects = collector.in_view(content, PATHS)
    return Places({o.obj._moId: (type(o.obj), collector.props(o)) for o in objects})
