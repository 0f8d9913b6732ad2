"""The API described for people: the service's own OpenAPI document as a page, rendered on the server.

No script and nothing from elsewhere (the interactive explorers load theirs from a CDN), so it works offline and
under the service's Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Parameter:
    name: str
    where: str
    type: str
    required: bool
    limits: str


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    tag: str
    summary: str
    description: str
    parameters: list[Parameter]
    body: str | None
    fields: list[str]
    responses: list[tuple[str, str]]


@dataclass
class ApiDoc:
    title: str
    version: str
    summary: str
    openapi: str
    operations: list[Operation]


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return str(schema.get("type", "any"))


def _limits(schema: dict[str, Any]) -> str:
    said = []
    for key, word in (("minimum", "at least"), ("maximum", "at most"), ("minLength", "length at least"),
                      ("maxLength", "length at most"), ("pattern", "matching")):  # fmt: skip
        for option in [schema, *schema.get("anyOf", [])]:
            if key in option:
                said.append(f"{word} {option[key]}")
    if "default" in schema and schema["default"] is not None:
        said.append(f"default {schema['default']}")
    return ", ".join(said)


def api_doc(openapi: dict[str, Any]) -> ApiDoc:
    """The operations of an OpenAPI document, in its order, with their parameters, body and responses."""
    schemas = openapi.get("components", {}).get("schemas", {})
    operations = []
    for path, item in openapi.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            parameters = [
                Parameter(
                    p["name"],
                    p.get("in", ""),
                    _type(p.get("schema", {})),
                    bool(p.get("required")),
                    _limits(p.get("schema", {})),
                )  # fmt: skip
                for p in op.get("parameters", [])
            ]
            body, fields = None, []
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if content:
                body = _type(content.get("schema", {}))
                fields = list(schemas.get(body, {}).get("properties", {}))
            description = (op.get("description") or "").strip().replace("``", "")
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                    tag=", ".join(op.get("tags", [])),
                    summary=description.split("\n\n")[0] if description else op.get("summary", ""),
                    description=description,
                    parameters=parameters,
                    body=body,
                    fields=fields,
                    responses=[(code, r.get("description", "")) for code, r in op.get("responses", {}).items()],
                )
            )
    info = openapi.get("info", {})
    return ApiDoc(info.get("title", ""), info.get("version", ""), info.get("summary", ""), openapi.get("openapi", ""),
                  operations)  # fmt: skip
