"""PropertyCollector reads: many objects and properties in one RetrievePropertiesEx."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


def mo(content: vim.ServiceContent, kind: type, moref: str):
    """A managed object reference of `kind` bound to the session."""
    return kind(moref, content.propertyCollector._stub)


def props(obj: PC.ObjectContent) -> dict:
    """An ObjectContent's properties by path."""
    return {p.name: p.val for p in obj.propSet or ()}


def object_specs(objs: Iterable, traverse: Sequence[tuple[type, str]] = ()) -> list:
    """ObjectSpecs for objects, each following `traverse` (type, path) one hop."""
    select = [
        PC.TraversalSpec(name=f"{kind.__name__}.{path}", type=kind, path=path, skip=False) for kind, path in traverse
    ]
    return [PC.ObjectSpec(obj=o, skip=False, selectSet=select) for o in objs]


def filter_spec(objects: list, paths: dict[type, Sequence[str]]) -> PC.FilterSpec:
    """A filter over `objects` reading `paths` per type; missing objects are left out."""
    prop_set = [PC.PropertySpec(type=kind, pathSet=list(p)) for kind, p in paths.items()]
    return PC.FilterSpec(objectSet=objects, propSet=prop_set, reportMissingObjectsInResults=True)


def retrieve(content: vim.ServiceContent, spec: PC.FilterSpec) -> list:
    """All ObjectContents of one filter: one RetrievePropertiesEx, plus one
    ContinueRetrievePropertiesEx per further page when the server pages."""
    pc = content.propertyCollector
    result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions())
    objects: list = []
    while result is not None:
        objects.extend(result.objects or ())
        result = pc.ContinueRetrievePropertiesEx(result.token) if result.token else None
    return objects


def in_view(content: vim.ServiceContent, paths: dict[type, Sequence[str]]) -> list:
    """Every object of the given types in the inventory, read through a container view."""
    view = content.viewManager.CreateContainerView(content.rootFolder, list(paths), True)
    try:
        traversal = PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)
        spec = filter_spec([PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])], paths)
        return retrieve(content, spec)
    finally:
        view.DestroyView()
