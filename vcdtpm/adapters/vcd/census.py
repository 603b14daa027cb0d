"""Every vApp VM at once, from the query service: the provider's census (adminVM) and what a caller sees (vm).

- `GET /api/query?type=adminVM&format=records` (SysAdmin only): AdminVMRecord carries `vc` (the
  vimServer href), `moref`, `org` (href), `vdc` (href), `container` (the vApp's href) and
  `isVAppTemplate`
  (https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/queries/adminVM.html,
  https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/QueryResultAdminVMRecordType.html).
- The org's *name* is not on AdminVMRecord: `type=adminOrgVdc` gives each VDC's `orgName`
  (https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/QueryResultAdminVdcRecordType.html),
  joined on the VM record's `vdc` href.
- `type=vm` (User, OrgAdmin) lists the VMs the caller can see, with the caller's own token
  (https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/queries/vm.html).
Each is read page by page (at most 128 records a page), never one request per VM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import parse

MAX_PAGE = 128
VAPP_VMS = "isVAppTemplate==false"

Read = Callable[[Callable[[Client], Any]], Any]


def records(run: Read, query_type: str, tag: str, query_filter: str | None = None) -> Iterator:
    """Every record of a typed query, page after page, through `run` (which supplies the client)."""
    page = 1
    while True:
        params: dict = {"type": query_type, "format": "records", "page": page, "pageSize": MAX_PAGE}
        if query_filter:
            params["filter"] = query_filter

        def read(client: Client, params=params):
            return client.get_resource(client.get_api_uri() + "/query", params=params)

        result = run(read)
        found = parse.records(result, tag)
        yield from found
        total = int(result.get("total") or 0)
        if not found or page * MAX_PAGE >= total:
            return
        page += 1
