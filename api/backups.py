"""REST resources for vTPM backup and restore (provider only), and their schemas."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from api.auth import current_session, use_cases
from api.resources import problems_for
from api.schemas import NAME, Pattern, Strict, urn
from vcdtpm.app.tpm_backups import RestoreRequest, TpmBackups
from vcdtpm.domain import urns
from vcdtpm.domain.errors import BackendUnavailable

blp = Blueprint(
    "tpm_backups",
    __name__,
    url_prefix="/api/v1/provider",
    description="Provider only: back up a VM's vTPM and restore it onto a vCenter",
)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"vcloudAuthorization": []}]
BACKUP_ID = Pattern(urns.BACKUP_ID, "expected a backup id (a lower-case UUID)")
VM_NAME = Pattern(r"[^/\\%\x00-\x1f]{1,80}", "expected 1 to 80 characters, none of / \\ % or control characters")


class BackupRequestSchema(Strict):
    vm = fields.String(required=True, validate=urn("vm"), metadata={"description": "the VM to back up"})


class BackupSchema(Schema):
    id = fields.String()
    vm = fields.String(metadata={"description": "URN of the backed-up VM"})
    vm_name = fields.String(attribute="backup.vm_name")
    vcenter = fields.String()
    key_provider = fields.String(attribute="backup.key_provider")
    firmware = fields.String(attribute="backup.firmware")
    identity = fields.String(
        attribute="backup.identity", metadata={"description": "sha256 of the vTPM endorsement key certificate"}
    )
    created_at = fields.String()
    checksum = fields.String(metadata={"description": "sha256 over the bundle's canonical payload"})
    size = fields.Integer(metadata={"description": "bytes of the bundle file"})
    intact = fields.Boolean(metadata={"description": "whether the bundle still matches its checksum"})


class BackupListSchema(Schema):
    backups = fields.List(fields.Nested(BackupSchema))


class RestoreRequestSchema(Strict):
    backup = fields.String(required=True, validate=BACKUP_ID)
    target_vdc = fields.String(
        validate=urn("vdc"), metadata={"description": "restore onto the vCenter and datastore backing this VDC"}
    )
    vcenter = fields.String(validate=NAME, metadata={"description": "or onto this vCenter, by name"})
    datastore = fields.String(validate=NAME, metadata={"description": "with vcenter: a datastore by name"})
    name = fields.String(
        validate=VM_NAME, metadata={"description": "the restored VM's name; default <vm_name>-restored"}
    )

    @validates_schema
    def one_target(self, data, **kwargs):
        if "target_vdc" in data and "vcenter" in data:
            raise ValidationError("give either target_vdc or vcenter, not both", "vcenter")
        if "target_vdc" not in data and "vcenter" not in data:
            raise ValidationError("give target_vdc, or vcenter (and optionally datastore)", "target_vdc")
        if "datastore" in data and "vcenter" not in data:
            raise ValidationError("goes with vcenter; a VDC decides its own datastore", "datastore")

    @post_load
    def make(self, data, **kwargs):
        return RestoreRequest(**data)


class RestoreSchema(Schema):
    backup = fields.String()
    vcenter = fields.String()
    vm_name = fields.String()
    moref = fields.String()
    identity = fields.String()
    identity_matches = fields.Boolean()


problems = problems_for(blp)


def backups() -> TpmBackups:
    found = use_cases().backups
    if found is None:
        raise BackendUnavailable(backend="The backup store", reason="it is not configured")
    return found


@blp.route("/tpm-backups")
class TpmBackupList(MethodView):
    @blp.response(200, BackupListSchema)
    @blp.doc(security=BEARER)
    @problems(401, 403, 503)
    def get(self):
        """Every vTPM backup bundle, oldest first."""
        return {"backups": backups().list(current_session())}

    @blp.arguments(BackupRequestSchema)
    @blp.response(201, BackupSchema)
    @blp.doc(security=BEARER)
    @problems(400, 401, 403, 404, 422, 502, 503)
    def post(self, body):
        """Back up a VM's keyId, encryption.bundle, firmware, vTPM device and NVRAM as one bundle."""
        return backups().backup(current_session(), body["vm"])


@blp.route("/tpm-backups/<string:backup_id>")
class TpmBackupItem(MethodView):
    @blp.response(200, BackupSchema)
    @blp.doc(security=BEARER)
    @problems(401, 403, 404, 409, 422)
    def get(self, backup_id):
        """One vTPM backup bundle."""
        return backups().get(current_session(), backup_id)


@blp.route("/tpm-restores")
class TpmRestores(MethodView):
    @blp.arguments(RestoreRequestSchema)
    @blp.response(201, RestoreSchema)
    @blp.doc(security=BEARER)
    @problems(400, 401, 403, 404, 409, 422, 502, 503)
    def post(self, restore_request):
        """Preflight, then re-create the VM from a backup on a vCenter with the same vTPM identity."""
        return backups().restore(current_session(), restore_request)
