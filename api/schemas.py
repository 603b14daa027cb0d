"""Marshmallow schemas of the public contract; the OpenAPI document is generated from them."""

from __future__ import annotations

import re

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, pre_dump, validate, validates_schema

from api.rows import Rows
from vcdtpm.app.operation_request import Item, NewVm, OperationRequest
from vcdtpm.domain.model import Band, CheckStatus, Firmware, Operation, TpmAction, TpmMode
from vcdtpm.domain.urns import UUID

NAME = validate.Length(min=1, max=128)


class Pattern(validate.Regexp):
    """A regular expression the whole value must match; the spec shows it as `^...$` (a JSON Schema
    `pattern`, ECMA-262), and here `$` does not let a trailing newline through."""

    def __init__(self, body: str, error: str):
        super().__init__(f"^{body}$", error=error)
        self._whole = re.compile(f"^{body}$")

    def __call__(self, value):
        if not isinstance(value, str) or self._whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def urn(kind: str) -> Pattern:
    """A Cloud Director URN of `kind`, exactly: urn:vcloud:<kind>:<uuid>."""
    return Pattern(rf"urn:vcloud:{kind}:{UUID}", f"expected a URN urn:vcloud:{kind}:<uuid>")


class Bool(fields.Boolean):
    """A JSON boolean and nothing else: no "yes", no 1."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    field = fields.String(metadata={"description": "the first request field at fault"})
    errors = fields.List(fields.Dict())
    checks = fields.List(fields.Dict())
    vms = fields.List(
        fields.Dict(), metadata={"description": "409: the plan's VMs (id, name, action), as plans show them"}
    )


class SessionSchema(Schema):
    token = fields.String()
    org = fields.String()
    user = fields.String()
    provider = fields.Boolean()


class NewVmSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    guest_os = fields.String(
        required=True, validate=validate.Length(min=1, max=64), metadata={"example": "windows2019srv_64Guest"}
    )
    firmware = fields.Enum(Firmware, by_value=True, load_default=Firmware.EFI)
    hardware_version = fields.Integer(strict=True, load_default=19, validate=validate.Range(min=4, max=99))
    tpm = Bool(load_default=False)

    @post_load
    def make(self, data, **kwargs):
        return NewVm(**data)


class SourceSchema(Strict):
    vm = fields.String(validate=urn("vm"))
    vapp = fields.String(validate=urn("vapp"))
    template = fields.String(validate=urn("vapptemplate"))
    vcenter_vm = fields.String(validate=NAME)


class TargetSchema(Strict):
    vdc = fields.String(validate=urn("vdc"))
    vapp = fields.String(validate=urn("vapp"))
    catalog = fields.String(validate=urn("catalog"))


class ItemSchema(Strict):
    """One member of a composed vApp: either a template (and which of its VMs) or a new VM."""

    ONE_OF = [{"required": ["template"]}, {"required": ["new_vm"]}]

    template = fields.String(validate=urn("vapptemplate"))
    vm = fields.String(validate=urn("vm"), metadata={"description": "with template: which of its VMs"})
    new_vm = fields.Nested(NewVmSchema)

    @validates_schema
    def one_kind(self, data, **kwargs):
        if ("new_vm" in data) == ("template" in data):
            raise ValidationError("give either template (+ vm) or new_vm", "_schema")

    @post_load
    def make(self, data, **kwargs):
        return Item(**data)


class OperationRequestSchema(Strict):
    operation = fields.Enum(Operation, by_value=True, required=True)
    source = fields.Nested(SourceSchema, load_default=dict)
    target = fields.Nested(TargetSchema, load_default=dict)
    vm = fields.Nested(NewVmSchema)
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=128))
    ovf = fields.String(validate=validate.Length(min=1, max=512 * 1024))
    tpm = fields.Enum(TpmMode, by_value=True)
    name = fields.String(validate=NAME, metadata={"description": "name of the VM, vApp or template made"})
    replace_on_7x = Bool(load_default=False)
    acknowledge_tpm_data_loss = Bool(load_default=False)
    move = Bool(
        load_default=False,
        metadata={
            "description": "imports only: move the vCenter VM into Cloud Director (sourceMove) instead of copying it"
        },
    )

    @post_load
    def make(self, data, **kwargs):
        data["items"] = tuple(data.get("items", ()))
        return OperationRequest(**data)


class CheckSchema(Schema):
    id = fields.String()
    status = fields.Enum(CheckStatus, by_value=True)
    vm = fields.String(allow_none=True)
    message = fields.String()
    remedy = fields.String()


class VmPlanSchema(Schema):
    id = fields.String(allow_none=True)
    name = fields.String()
    tpm_present = fields.Boolean()
    action = fields.Enum(TpmAction, by_value=True)
    rule = fields.String()
    reason = fields.String()


class PlanSchema(Schema):
    operation = fields.Enum(Operation, by_value=True)
    allowed = fields.Boolean()
    tpm = fields.Enum(TpmMode, by_value=True, allow_none=True)
    source_band = fields.Enum(Band, by_value=True, allow_none=True)
    target_band = fields.Enum(Band, by_value=True)
    vms = Rows(VmPlanSchema)
    checks = Rows(
        CheckSchema,
        metadata={
            "description": "compact unless ?detail=full: per VM the checks that did not pass; a check that "
            "passes for every VM (or applies to none) once, with vm null"
        },
    )
    warnings = fields.List(fields.String())
    requires_acknowledgement = fields.Boolean(
        metadata={
            "description": "true when executing the same request would be refused for lack of "
            "acknowledge_tpm_data_loss: not yet allowed"
        }
    )


class PlanDetailArgsSchema(Strict):
    detail = fields.String(
        load_default="compact",
        validate=validate.OneOf(["compact", "full"]),
        metadata={"description": "full: every check for every VM"},
    )


class BandModesSchema(Schema):
    modes = fields.List(fields.String())
    default = fields.String(allow_none=True)
    rule = fields.String()


class MatrixRowSchema(Schema):
    operation = fields.String()
    label = fields.String(metadata={"description": "the row of the Cloud Director matrix"})
    band_7x = fields.Nested(BandModesSchema, data_key="7.x")
    band_8x = fields.Nested(BandModesSchema, data_key="8.x")
    note = fields.String()

    @pre_dump
    def bands(self, row, **kwargs):
        return {**row, "band_7x": row["7.x"], "band_8x": row["8.x"]}


class MatrixSchema(Schema):
    rows = fields.List(fields.Nested(MatrixRowSchema))


class ReadinessSchema(Schema):
    can_add = fields.Boolean()
    checks = fields.List(fields.Nested(CheckSchema))


class VmTpmSchema(Schema):
    present = fields.Boolean()
    identity = fields.String(allow_none=True)
    band = fields.Enum(Band, by_value=True)
    readiness = fields.Nested(ReadinessSchema)


class KeyProviderSchema(Schema):
    name = fields.String()
    type = fields.String(attribute="type.value")
    default = fields.Boolean()
    tpm_hosts_only = fields.Boolean()


class DatastoreSchema(Schema):
    name = fields.String()
    url = fields.String()


class HostSchema(Schema):
    name = fields.String()
    tpm = fields.Boolean()


class VCenterSchema(Schema):
    name = fields.String()
    version = fields.String()
    band = fields.Enum(Band, by_value=True)
    key_providers = fields.List(fields.Nested(KeyProviderSchema))
    clone_tpm_policy = fields.String()
    datastores = fields.List(fields.Nested(DatastoreSchema))
    hosts = fields.List(fields.Nested(HostSchema))


class RefreshArgsSchema(Strict):
    refresh = fields.Boolean(
        load_default=False, metadata={"description": "read the facts again now instead of answering what is kept"}
    )


class VCenterListSchema(Schema):
    vcenters = fields.List(fields.Nested(VCenterSchema))


class KeyProviderParitySchema(Schema):
    name = fields.String()
    vcenters = fields.List(
        fields.Nested(KeyProviderSchema), metadata={"description": "each vCenter having it: name is the vCenter's"}
    )
    missing_on = fields.List(fields.String())
    everywhere = fields.Boolean()


class KeyProviderListSchema(Schema):
    key_providers = fields.List(fields.Nested(KeyProviderParitySchema))


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok, or degraded when a vCenter does not answer"})
    backends_checked = fields.Integer(metadata={"description": "how many backends were asked (readiness)"})
    backends_unavailable = fields.Integer(metadata={"description": "how many did not answer (readiness)"})
    backends = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "each backend by name: ok or why not (readiness, for a provider's token only)"},
    )


__all__ = [name for name in dir() if name.endswith("Schema")] + ["EXCLUDE"]
