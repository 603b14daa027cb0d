"""The query service: GET /api/query (the query list) and typed queries with filters and pages."""

from __future__ import annotations

from urllib.parse import urlencode

from vcdtpm.sim.vcd import errors
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.query.filters import FilterError, equalities, parse
from vcdtpm.sim.vcd.query.records import QUERY_TYPES, QueryType, Row

FORMATS = {"records": x.QUERY_RECORDS, "idrecords": x.QUERY_IDRECORDS, "references": x.QUERY_REFERENCES}
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 25, 128


def get_query(ctx: RequestContext):
    args = ctx.request.args
    if "type" not in args:
        return _query_list(ctx)
    query = QUERY_TYPES.get(args["type"])
    if query is None:
        raise errors.bad_request(f"The query type '{args['type']}' is not supported.")
    if query.provider_only and not ctx.who.provider:
        raise errors.provider_only(f"query type {query.name}")
    fmt = args.get("format", "records")
    if fmt not in FORMATS:
        raise errors.bad_request(f"The query format '{fmt}' is not supported.")
    rows = _select(ctx, query)
    fields = _requested_fields(ctx, query)
    page, size = _positive(args, "page", 1), min(_positive(args, "pageSize", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    tag = "QueryResultRecords" if fmt != "references" else f"{query.record[:-6]}References"
    element = x.root(
        tag, total=len(rows), pageSize=size, page=page, name=query.name, href=ctx.request.url, type=FORMATS[fmt]
    )
    _page_links(ctx, element, query, fmt, page, size, len(rows))
    for row in rows[(page - 1) * size : page * size]:
        _append(element, query, fmt, row, fields)
    return ctx.xml(element, FORMATS[fmt])


def _select(ctx: RequestContext, query: QueryType) -> list[Row]:
    args = ctx.request.args
    text = args.get("filter")
    if text:
        try:
            predicate = parse(text, query.fields)
        except FilterError as exc:
            raise errors.bad_request(str(exc)) from None
        rows = _looked_up(ctx, query, text)
        if rows is None:
            rows = [r for r in query.rows(ctx) if predicate(r)]
    else:
        rows = list(query.rows(ctx))
    for key, reverse in (("sortAsc", False), ("sortDesc", True)):
        if key in args:
            if args[key] not in query.fields:
                raise errors.bad_request(f"Cannot sort by '{args[key]}'.")
            rows.sort(key=lambda r: r.get(args[key], "").lower(), reverse=reverse)
    return rows


def _looked_up(ctx: RequestContext, query: QueryType, text: str) -> list[Row] | None:
    """The rows of a filter that only ORs equalities on an attribute the query type indexes
    (`id`), looked up by key: what the filter matches, at the cost of what it finds.
    None for any other filter (every row the caller sees is tested)."""
    keyed = equalities(text)
    lookup = query.lookups.get(keyed[0]) if keyed else None
    if lookup is None or keyed is None:
        return None
    attribute, values = keyed
    return [r for r in lookup(ctx, values) if r.get(attribute, "").lower() in values]


def _positive(args, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise errors.bad_request(f"'{name}' must be a positive integer.")
    return int(raw)


def _page_links(ctx: RequestContext, element, query: QueryType, fmt: str, page: int, size: int, total: int) -> None:
    base = dict(ctx.request.args.items())
    last = max(1, -(-total // size))
    pages = {"firstPage": 1, "lastPage": last}
    if page > 1:
        pages["previousPage"] = page - 1
    if page < last:
        pages["nextPage"] = page + 1
    for rel, number in pages.items():
        params = urlencode({**base, "page": number, "pageSize": size})
        x.link(element, rel, f"{ctx.hrefs.api}/query?{params}", FORMATS[fmt])
    for other in FORMATS:
        if other != fmt:
            params = urlencode({**base, "format": other})
            x.link(element, "alternate", f"{ctx.hrefs.api}/query?{params}", FORMATS[other])


def _append(element, query: QueryType, fmt: str, row: Row, fields: set[str] | None) -> None:
    if fmt == "references":
        x.sub(
            element,
            f"{query.record[:-6]}Reference",
            href=row.get("href"),
            id=row.get("id"),
            name=row.get("name"),
            type=query.entity_type,
        )
        return
    x.sub(element, query.record, **{k: v for k, v in row.items() if fields is None or k in fields})


def _requested_fields(ctx: RequestContext, query: QueryType) -> set[str] | None:
    """The `fields` parameter: which attributes records carry (href, id, name always)."""
    raw = ctx.request.args.get("fields")
    if not raw:
        return None
    wanted = {f.strip() for f in raw.split(",") if f.strip()}
    unknown = wanted - query.fields
    if unknown:
        raise errors.bad_request(f"Unknown fields: {', '.join(sorted(unknown))}.")
    return wanted | {"href", "id", "name"}


def _query_list(ctx: RequestContext):
    element = x.root("QueryList", href=ctx.hrefs.api + "/query", type=x.QUERY_LIST)
    for query in QUERY_TYPES.values():
        if query.provider_only and not ctx.who.provider:
            continue
        for fmt in ("references", "records", "idrecords"):
            x.link(element, "down", f"{ctx.hrefs.api}/query?type={query.name}&format={fmt}", FORMATS[fmt], query.name)
    return ctx.xml(element, x.QUERY_LIST)


ROUTES = [Route("GET", "/api/query", get_query)]
