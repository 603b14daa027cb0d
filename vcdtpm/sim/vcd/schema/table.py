"""The request-schema table (request_types.yaml) as Python objects, inheritance resolved."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

SECTION = "{http://schemas.dmtf.org/ovf/envelope/1}Section"  # head of the ovf:Section substitution group
UNBOUNDED = 10**9


@dataclass(frozen=True)
class Particle:
    """One element of a type's sequence: Clark name, type name, occurrences, since, page."""

    name: str
    type: str
    min: int
    max: int
    since: str | None
    page: str
    unconfirmed: str | None = None


@dataclass(frozen=True)
class TypeDef:
    """A complex type: its sequence (inherited elements first) and unqualified attributes."""

    name: str
    page: str
    since: str | None
    sequence: tuple[Particle, ...]
    attributes: dict[str, bool]  # name -> required
    root: str | None = None  # Clark name of the document element, for request types
    media_type: str | None = None
    unconfirmed: str | None = None


@dataclass(frozen=True)
class Table:
    types: dict[str, TypeDef]
    open_types: dict[str, str]  # type name -> why its content is not checked
    section_group: dict[str, str]  # Clark name of an ovf:Section member -> type name

    def for_media_type(self, media_type: str) -> TypeDef | None:
        wanted = media_type.strip().lower()
        return next((t for t in self.types.values() if t.media_type and t.media_type.lower() == wanted), None)

    def for_root(self, clark: str) -> TypeDef | None:
        return next((t for t in self.types.values() if t.root == clark), None)


def clark(prefixed: str, namespaces: dict[str, str]) -> str:
    prefix, _, local = prefixed.partition(":")
    return "{%s}%s" % (namespaces[prefix], local)


def _particle(raw: dict, namespaces: dict[str, str]) -> Particle:
    maximum = raw["max"]
    return Particle(
        name=clark(raw["name"], namespaces),
        type=raw["type"],
        min=int(raw["min"]),
        max=UNBOUNDED if maximum == "unbounded" else int(maximum),
        since=raw.get("since"),
        page=raw["page"],
        unconfirmed=raw.get("unconfirmed"),
    )


def _resolve(name: str, raw: dict, namespaces: dict[str, str], done: dict[str, TypeDef]) -> TypeDef:
    """The TypeDef of `name`, its parent's sequence and attributes prepended (XSD extension)."""
    if name in done:
        return done[name]
    entry = raw[name]
    parent = _resolve(entry["extends"], raw, namespaces, done) if entry.get("extends") else None
    own = tuple(_particle(p, namespaces) for p in entry.get("sequence") or [])
    attributes = dict(parent.attributes) if parent else {}
    attributes.update({k: v == "required" for k, v in (entry.get("attributes") or {}).items()})
    root = entry.get("root")
    done[name] = TypeDef(
        name=name,
        page=entry["page"],
        since=entry.get("since"),
        sequence=(parent.sequence if parent else ()) + own,
        attributes=attributes,
        root=clark(root, namespaces) if root else None,
        media_type=entry.get("media_type"),
        unconfirmed=entry.get("unconfirmed"),
    )
    return done[name]


def parse(document: dict) -> Table:
    namespaces = document["namespaces"]
    done: dict[str, TypeDef] = {}
    for name in document["types"]:
        _resolve(name, document["types"], namespaces, done)
    sections = {clark(k, namespaces): v for k, v in document["section_group"].items()}
    return Table(done, dict(document["open_types"]), sections)


@functools.cache
def load() -> Table:
    """The table shipped with the package (vcdtpm/sim/vcd/schema/request_types.yaml)."""
    text = resources.files(__package__).joinpath("request_types.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
