"""World files: a YAML description of a simulated cloud, loaded into an Inventory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vcdtpm.sim.inventory import Inventory
from vcdtpm.sim.world.builder import Builder
from vcdtpm.sim.world.checks import describe
from vcdtpm.sim.world.errors import WorldError

DEMO_WORLD_PATH = Path(__file__).with_name("worlds") / "demo.yaml"


def load_world(path: str | Path) -> Inventory:
    """Read a world file; a missing file, bad YAML or a bad world raises `WorldError`."""
    return load_world_data(_read_yaml(Path(path)), source=str(path))


def load_world_data(data: Any, source: str = "world") -> Inventory:
    """Build an Inventory from an already-parsed world; `source` names the document in errors."""
    if data is None:
        raise WorldError(source, "the world is empty; expected a mapping with vcenters and orgs")
    if not isinstance(data, dict):
        raise WorldError(source, f"expected a mapping at the top, got {describe(data)}")
    return Builder().build(data)


def demo_world() -> Inventory:
    """A fresh Inventory of the built-in demo world."""
    return load_world(DEMO_WORLD_PATH)


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, except that a key repeated in one mapping is an error, not a silent overwrite."""

    def construct_mapping(self, node, deep=False):
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _read_yaml(path: Path) -> Any:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorldError(str(path), "no such world file") from None
    except UnicodeDecodeError:
        raise WorldError(str(path), "is not UTF-8 text") from None
    except OSError as exc:
        raise WorldError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    try:
        return yaml.load(content, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise WorldError(str(path), f"not valid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise WorldError(str(path), f"not valid YAML: {exc}") from None
