"""Bulk reads: chosen properties of many objects, of several types, in one PropertyCollector retrieval.

Any read of "these properties of these objects" goes through here, so its cost is one
RetrievePropertiesEx whatever the number of objects (plus one ContinueRetrievePropertiesEx per
further page, when the server pages the answer), never one call per object:

- `properties(content, objects, paths, follow)`: the objects named by moref, and the objects they
  reference through the `follow` hops (e.g. `(vim.VirtualMachine, "datastore")` also reads each
  VM's datastores; `(vim.ResourcePool, "owner"), (vim.ComputeResource, "host")` reads a pool's
  cluster and its hosts). Hops chain: from every object reached, each hop of its type applies
  (so hops must not lead back to a type already left, which would read the inventory round).
- `every(content, paths)`: every object of the given types in the inventory, through a container
  view (CreateContainerView, one retrieval, DestroyView: three calls).

Both answer `{moref: Found(type, {path: value})}`; objects that do not exist are left out, and a
path that is unset on an object is absent from its values.

vSphere API reference: PropertyCollector.RetrievePropertiesEx, ContinueRetrievePropertiesEx
(https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.html).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pyVmomi import vim, vmodl

from vcdtpm.adapters.vcenter import collector

PC = collector.PC


@dataclass(frozen=True)
class Found:
    """One object of a bulk read: its managed-object type and the values of the paths read."""

    kind: type
    values: dict


def properties(
    content: vim.ServiceContent,
    objects: Mapping[type, Iterable[str]],
    paths: Mapping[type, Sequence[str]],
    follow: Sequence[tuple[type, str]] = (),
) -> dict[str, Found]:
    """`paths` of each object in `objects` (type -> morefs) and of every object reached from them by
    `follow`; one retrieval for all of them. Types absent from `paths` are traversed, not read."""
    hops = [PC.TraversalSpec(name=f"{kind.__name__}.{path}", type=kind, path=path, skip=False) for kind, path in follow]
    for hop in hops:  # from each object reached, any hop of its type applies again
        hop.selectSet = [PC.SelectionSpec(name=h.name) for h in hops]
    specs = [
        PC.ObjectSpec(obj=collector.mo(content, kind, moref), skip=kind not in paths, selectSet=hops)
        for kind, morefs in objects.items()
        for moref in dict.fromkeys(morefs)
    ]
    if not specs:
        return {}
    return _found(collector.retrieve(content, collector.filter_spec(specs, dict(paths))))


def every(content: vim.ServiceContent, paths: Mapping[type, Sequence[str]]) -> dict[str, Found]:
    """`paths` of every object of the given types in the inventory."""
    return _found(collector.in_view(content, dict(paths)))


def _found(objects: list) -> dict[str, Found]:
    return {o.obj._moId: Found(type(o.obj), collector.props(o)) for o in objects if not _missing(o)}


def _missing(obj) -> bool:
    """An object that does not exist comes back with a ManagedObjectNotFound in missingSet."""
    return any(isinstance(m.fault, vmodl.fault.ManagedObjectNotFound) for m in getattr(obj, "missingSet", None) or ())
