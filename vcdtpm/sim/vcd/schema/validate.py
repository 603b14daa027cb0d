"""Checks a request document against the request-schema table, refusing in vCD's (Xerces') words."""

from __future__ import annotations

import re

from lxml import etree

from vcdtpm.sim.vcd.schema.table import SECTION, Particle, Table, TypeDef, load

# vCD validates a request "against the elements and attributes defined in the specified version"
# (vCloud API Programming Guide, API versioning); an element newer than the negotiated version is
# therefore unknown content. Messages follow the XML Schema validator text vCD returns, e.g.
# https://github.com/vmware-archive/pyvcloud/issues/719 and https://github.com/vmware-archive/pyvcloud/issues/635
_BOOLEAN = {"true", "false", "1", "0"}
_INTEGER = re.compile(r"[+-]?\d+")
_INTEGERS = {"xs:int", "xs:long", "xs:integer"}


class SchemaViolation(Exception):
    """A request document vCD refuses with 400 BAD_REQUEST; `element` names the offending element."""

    def __init__(self, message: str, element: str):
        super().__init__(message)
        self.message = message
        self.element = element


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def present_in(since: str | None, version: str) -> bool:
    """Whether something introduced in API `since` exists in the negotiated `version`."""
    return since is None or version_key(since) <= version_key(version)


def validate(document, media_type: str, version: str, table: Table | None = None) -> TypeDef:
    """The request type of `media_type` after checking `document` (an lxml element) against it.

    Raises KeyError for a media type the table does not know, SchemaViolation for an invalid body.
    """
    table = table or load()
    typedef = table.for_media_type(media_type)
    if typedef is None:
        raise KeyError(media_type)
    _check_root(document, typedef, version, table)
    _check_complex(document, typedef, version, table)
    return typedef


def _check_root(document, typedef: TypeDef, version: str, table: Table) -> None:
    declared = table.for_root(document.tag)
    if declared is None or not present_in(declared.since, version):
        name = shown(document)
        raise SchemaViolation(f"cvc-elt.1.a: Cannot find the declaration of element '{name}'.", name)
    if declared is not typedef:
        # a declared element of another media type: JAXB's wording for an unexpected root (unconfirmed for vCD)
        name = etree.QName(document)
        expected = etree.QName(typedef.root)
        raise SchemaViolation(
            f'unexpected element (uri:"{name.namespace}", local:"{name.localname}"). '
            f"Expected elements are <{{{expected.namespace}}}{expected.localname}>",
            shown(document),
        )


def shown(element) -> str:
    """The element's name as written in the document (prefix:local), as the validator reports it."""
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def _check_complex(element, typedef: TypeDef, version: str, table: Table) -> None:
    _check_attributes(element, typedef)
    if _own_text(element):
        raise SchemaViolation(
            f"cvc-complex-type.2.3: Element '{shown(element)}' cannot have character [children], "
            "because the type's content type is element-only.",
            shown(element),
        )
    _check_sequence(element, [p for p in typedef.sequence if present_in(p.since, version)], version, table)


def _own_text(element) -> bool:
    texts = [element.text] + [child.tail for child in element]
    return any(t and t.strip() for t in texts)


def _check_attributes(element, typedef: TypeDef) -> None:
    """Unqualified attributes must be declared (VCloudExtensibleType allows others only as ##other)."""
    for name in element.attrib:
        if not name.startswith("{") and name not in typedef.attributes:
            raise SchemaViolation(
                f"cvc-complex-type.3.2.2: Attribute '{name}' is not allowed to appear in element '{shown(element)}'.",
                shown(element),
            )
    for name, required in typedef.attributes.items():
        if required and element.get(name) is None:
            raise SchemaViolation(
                f"cvc-complex-type.4: Attribute '{name}' must appear on element '{shown(element)}'.", shown(element)
            )


def _children(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def _check_sequence(element, particles: list[Particle], version: str, table: Table) -> None:
    """Children in the sequence's order, each particle min..max times (XSD xs:sequence)."""
    index, count = 0, 0
    for child in _children(element):
        start = (index, count)  # what may come here is reported from this position on
        while index < len(particles) and not _takes(particles[index], count, child, table):
            if count < particles[index].min:
                raise _invalid(child, particles, *start)
            index, count = index + 1, 0
        if index == len(particles):
            raise _invalid(child, particles, *start)
        count += 1
        _check_child(child, particles[index], version, table)
    for position in range(index, len(particles)):
        if (count if position == index else 0) < particles[position].min:
            expected = _expected(particles, index, count)
            raise SchemaViolation(
                f"cvc-complex-type.2.4.b: The content of element '{shown(element)}' is not complete. "
                f"One of '{expected}' is expected.",
                shown(element),
            )


def _takes(particle: Particle, count: int, child, table: Table) -> bool:
    return count < particle.max and _matches(particle, child, table)


def _matches(particle: Particle, child, table: Table) -> bool:
    if particle.name == SECTION:
        return child.tag in table.section_group
    return child.tag == particle.name


def _invalid(child, particles: list[Particle], index: int, count: int) -> SchemaViolation:
    start = f"cvc-complex-type.2.4.a: Invalid content was found starting with element '{shown(child)}'."
    expected = _expected(particles, index, count)
    if expected == "{}":
        start = start.replace("2.4.a", "2.4.d", 1)
        return SchemaViolation(f"{start} No child element is expected at this point.", shown(child))
    return SchemaViolation(f"{start} One of '{expected}' is expected.", shown(child))


def _expected(particles: list[Particle], index: int, count: int) -> str:
    """The elements that may come next: from the current particle up to the next required one."""
    names = []
    for position in range(index, len(particles)):
        particle, seen = particles[position], (count if position == index else 0)
        if seen < particle.max:
            name = etree.QName(particle.name)
            names.append(f'"{name.namespace}":{name.localname}')
        if seen < particle.min:
            break
    return "{" + ", ".join(names) + "}"


def _check_child(child, particle: Particle, version: str, table: Table) -> None:
    type_name = table.section_group[child.tag] if particle.name == SECTION else particle.type
    if type_name.startswith("xs:"):
        _check_simple(child, type_name)
    elif type_name in table.types:
        _check_complex(child, table.types[type_name], version, table)
    elif type_name not in table.open_types:
        raise LookupError(f"request schema table: type {type_name} is neither transcribed nor marked open")


def _check_simple(element, type_name: str) -> None:
    if _children(element):
        raise SchemaViolation(
            f"cvc-type.3.1.2: Element '{shown(element)}' is a simple type, so it must have no element "
            "information item [children].",
            shown(element),
        )
    value = (element.text or "").strip()
    wrong = (type_name == "xs:boolean" and value not in _BOOLEAN) or (
        type_name in _INTEGERS and not _INTEGER.fullmatch(value)
    )
    if wrong:
        kind = "boolean" if type_name == "xs:boolean" else "integer"
        message = f"cvc-datatype-valid.1.2.1: '{value}' is not a valid value for '{kind}'."
        raise SchemaViolation(message, shown(element))
