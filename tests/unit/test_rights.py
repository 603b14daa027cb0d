"""The Cloud Director rights each step of an operation needs."""

from __future__ import annotations

import pytest

from vcdtpm.domain import rights
from vcdtpm.domain.model import Operation


@pytest.mark.parametrize("operation", list(Operation), ids=lambda op: op.value)
def test_every_operation_names_the_rights_of_its_request(operation):
    assert operation.value in rights.STEP_RIGHTS


@pytest.mark.parametrize(
    "kind, params, expected",
    [
        ("copy_vm", {}, (rights.CREATE_RECONFIGURE, rights.COPY)),
        ("move_vm", {}, (rights.CREATE_RECONFIGURE,)),
        ("remove_tpm", {}, (rights.CREATE_RECONFIGURE,)),
        ("capture_vm", {}, (rights.ADD_TO_CATALOG,)),
        ("create_template_from_ovf", {}, (rights.UPLOAD_TEMPLATE,)),
        ("compose_vapp", {"items": [{"new_vm": {}}]}, (rights.CREATE_RECONFIGURE,)),
        (
            "compose_vapp",
            {"items": [{"template": "urn:vcloud:vapptemplate:x"}]},
            (rights.CREATE_RECONFIGURE, rights.CHECKOUT),
        ),
        ("import_vm_as_vapp", {}, ()),
    ],
)
def test_rights_for_a_step(kind, params, expected):
    assert rights.rights_for_step(kind, params) == expected


def test_rights_needed_lists_each_right_once_in_the_order_first_needed():
    steps = [("copy_vm", {}), ("edit_tpm", {}), ("edit_tpm", {}), ("record_provenance", {})]
    assert rights.rights_needed(steps) == (rights.CREATE_RECONFIGURE, rights.COPY, rights.EDIT_TEMPLATE)
