"""Finding a step's task again after a crash, by what a real TaskRecord carries.

vCD has no client-keyed task lookup: X-VMWARE-VCLOUD-CLIENT-REQUEST-ID only tags its logs
and no TaskRecord attribute holds it. The `task` query filters on TaskRecord attributes
(https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/QueryResultTaskRecordType.html);
a step's task is the latest one that
- `ownerName` == the caller (the user who started it),
- `startDate` =ge= the step's first issue time (less a margin for clock skew),
- `object` == the vApp or VM the request acts on (the href before /action/, or
  MoveVAppParams/Source); for a request that creates an object, `objectName` == the name it
  gives that object.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from lxml import etree
from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import parse, urns
from vcdtpm.adapters.vcd.errors import translated

CLOCK_SKEW = timedelta(minutes=5)
_ACTED_ON = (":vapp:", ":vm:")


def escaped(value: str) -> str:
    """A filter value with the filter language's special characters escaped."""
    return "".join("\\" + c if c in ";,()=\\" else c for c in value)


def conditions(url: str, body, user: str, since: datetime | None) -> list[str]:
    found = [f"ownerName=={escaped(user)}"]
    if since is not None:
        start = (since.astimezone(UTC) - CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        found.append(f"startDate=ge={start}")
    target = acted_on(url, body)
    if target:
        found.append(f"object=={escaped(target)}")
    elif body.get("name"):
        found.append(f"objectName=={escaped(body.get('name'))}")
    return found


def acted_on(url: str, body) -> str | None:
    """The existing vApp or VM a request works on, when it names one."""
    base = url.split("/action/", 1)[0]
    if any(kind in (urns.from_href(base) or "") for kind in _ACTED_ON):
        return base
    if etree.QName(body).localname == "MoveVAppParams":
        return body.find(parse.q("Source")).get("href")
    return None


def latest_task(client: Client, filters: list[str]) -> str | None:
    """The href of the most recently started task matching every condition, or None."""
    text = quote(";".join(filters), safe="")
    url = f"{client.get_api_uri()}/query?type=task&format=records&sortDesc=startDate&pageSize=25&filter={text}"
    with translated("Task", "query"):
        records = parse.records(client.get_resource(url), "TaskRecord")
    records.sort(key=lambda r: r.get("startDate") or "", reverse=True)
    return records[0].get("href") if records else None
