"""Clone specs that copy or replace a vTPM, and waiting for the clone task."""

from __future__ import annotations

import re
import time

from pyVmomi import VmomiSupport, vim

from vcdtpm.domain.errors import BackendError
from vcdtpm.domain.model import TpmMode

POLICY_API = (8, 0, 0, 1)
"""The first vSphere API with VirtualMachineCloneSpec.tpmProvisionPolicy."""
_POLICY_VMODL_VERSION = "vim.version.v8_0_0_1"


def api_tuple(api_version: str) -> tuple[int, ...]:
    """`8.0.2.0` as (8, 0, 2, 0); anything unparsable as ()."""
    return tuple(int(n) for n in re.findall(r"\d+", api_version or ""))


def policy_supported(api_version: str, stub_version: str) -> bool:
    """Whether a clone can carry tpmProvisionPolicy: the endpoint must know it
    and the client must serialize it (pyvmomi drops fields newer than the
    version it negotiated)."""
    return api_tuple(api_version) >= POLICY_API and VmomiSupport.IsChildVersion(stub_version, _POLICY_VMODL_VERSION)


def replace_device_changes(device: vim.vm.device.VirtualTPM) -> list:
    """Remove the source's vTPM and add a blank one: vSphere 7's way to replace it."""
    remove = vim.vm.device.VirtualDeviceSpec(operation="remove", device=device)
    fresh = vim.vm.device.VirtualTPM(key=-1)
    add = vim.vm.device.VirtualDeviceSpec(operation="add", device=fresh)
    return [remove, add]


def clone_spec(tpm: TpmMode, with_policy: bool, source_tpm, location) -> vim.vm.CloneSpec:
    """A clone spec that copies or replaces the source's vTPM.

    With the policy (8.0.0.1+), the spec always says copy or replace, so the
    vCenter default `vpxd.clone.tpmProvisionPolicy` never decides. Without
    it, a clone copies the vTPM, and replace is done with device changes.
    """
    spec = vim.vm.CloneSpec(location=location, powerOn=False, template=False)
    if with_policy:
        spec.tpmProvisionPolicy = tpm.value
    elif tpm is TpmMode.REPLACE and source_tpm is not None:
        spec.config = vim.vm.ConfigSpec(deviceChange=replace_device_changes(source_tpm))
    return spec


def wait(task: vim.Task, timeout: float, backend: str):
    """The task's result once it succeeds; its fault is raised when it fails."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        info = task.info
        if info.state == vim.TaskInfo.State.success:
            return info.result
        if info.state == vim.TaskInfo.State.error:
            raise info.error  # type: ignore[misc]  # a vmodl.MethodFault, an exception at run time
        if time.monotonic() > deadline:
            raise BackendError(backend=backend, reason=f"task {task._moId} did not finish in {timeout:.0f}s")
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
