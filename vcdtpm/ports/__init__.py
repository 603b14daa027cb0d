"""Ports: what the use cases need from Cloud Director, each vCenter, the journal and the backup store."""

from vcdtpm.ports.backups import BackupStore, StoredBackup
from vcdtpm.ports.cloud_director import (
    CatalogRecord,
    CloudDirector,
    PlacedVm,
    Session,
    StepIntent,
    TaskState,
    TemplateRecord,
    VAppRecord,
    VdcLocation,
    VdcRecord,
    VmRecord,
)
from vcdtpm.ports.journal import Failure, Journal, LeaseLost, OperationStatus, OperationView, StepStatus, StepView
from vcdtpm.ports.vcenter import TpmBackup, VCenter

__all__ = [
    "BackupStore",
    "CatalogRecord",
    "CloudDirector",
    "Failure",
    "Journal",
    "LeaseLost",
    "OperationStatus",
    "OperationView",
    "PlacedVm",
    "Session",
    "StepIntent",
    "StepStatus",
    "StepView",
    "StoredBackup",
    "TaskState",
    "TemplateRecord",
    "TpmBackup",
    "VAppRecord",
    "VCenter",
    "VdcLocation",
    "VdcRecord",
    "VmRecord",
]
