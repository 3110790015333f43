"""The API reference at /docs: drawn from the app's own OpenAPI schema into a page of the site
(its header, its themes, no script needed). Swagger UI stays at /docs/try for sending requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.render import page

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str
    where: str = ""  # query, path, header: for parameters


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Field] = field(default_factory=list)
    body: str = ""  # schema name of the JSON body
    responses: list[tuple[str, str, str]] = field(default_factory=list)  # status, description, schema


@dataclass
class Group:
    name: str
    operations: list[Operation]


def type_of(schema: dict[str, Any]) -> str:
    """A schema as a reader says it: `string`, `integer 1–100`, `list of EntryItem`, `Quiz or null`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(s) for s in schema["anyOf"])
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        kind += f" {'' if low is None else low}–{'' if high is None else high}"
    if "maxLength" in schema:
        kind += f", ≤ {schema['maxLength']} characters"
    return kind


def schema_fields(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(name, type_of(spec), name in required, str(spec.get("description", "")))
        for name, spec in schema.get("properties", {}).items()
    ]


def reference(openapi: dict[str, Any]) -> tuple[list[Group], dict[str, list[Field]]]:
    groups: dict[str, list[Operation]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            operation = Operation(
                method.upper(),
                path,
                str(op.get("summary", "")),
                str(op.get("description", "")),
                str(op.get("operationId", f"{method}-{path}")),
                [
                    Field(
                        p["name"],
                        type_of(p.get("schema", {})),
                        bool(p.get("required")),
                        str(p.get("description", "")),
                        str(p.get("in", "")),
                    )
                    for p in op.get("parameters", [])
                ],
                type_of(body) if body else "",
            )
            for status, response in op.get("responses", {}).items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                shape = type_of(schema) if schema else ""
                operation.responses.append((status, str(response.get("description", "")), shape))
            tag = (op.get("tags") or ["api"])[-1]
            groups.setdefault(tag, []).append(operation)
    schemas = {name: schema_fields(s) for name, s in sorted(openapi.get("components", {}).get("schemas", {}).items())}
    return [Group(name, ops) for name, ops in groups.items()], schemas


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    groups, schemas = reference(request.app.openapi())
    return page(request, "docs.html", {"groups": groups, "schemas": schemas}, json_url="/openapi.json")


@router.get("/docs/try", response_class=HTMLResponse)
def try_it(request: Request) -> HTMLResponse:
    return page(request, "docs_try.html", {}, json_url="/openapi.json")
