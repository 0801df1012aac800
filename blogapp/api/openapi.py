"""The OpenAPI 3.1 document, built from the operations' declarations (api/operations.py)
and their pydantic models: nothing in it is written by hand beside the code."""

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from blogapp.api.event_schemas import EVENT_SCHEMAS
from blogapp.api.operations import Operation, Who
from blogapp.api.problems import PROBLEM_TYPE, TITLES
from blogapp.api.schemas import Problem
from blogapp.query_args import MAX_ID

REF = "#/components/schemas/{model}"
# What any operation may answer besides its own: a bad token (401), a body too large
# (413), the rate limit (429), trouble on our side (500, 503).
EVERY_OPERATION = (400, 401, 429, 500, 503)
PATH_TYPES = {
    "int": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "string": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
}


def _refs(ops: list[Operation]) -> tuple[dict, dict]:
    wanted: list[tuple[type[BaseModel], str]] = [(Problem, "serialization")]
    for op in ops:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        if op.response is not None:
            wanted.append((op.response, "serialization"))
    wanted += [(model, "serialization") for model in EVENT_SCHEMAS.values()]
    wanted = list(dict.fromkeys(wanted))
    refs, top = models_json_schema(wanted, ref_template=REF)
    return refs, top.get("$defs", {})


def _parameters(op: Operation) -> list[dict]:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": PATH_TYPES.get(conv, PATH_TYPES["string"]),
        }
        for conv, name in op.path_params()
    ]
    if op.query is not None:
        schema = op.query.model_json_schema()
        required = set(schema.get("required", ()))
        for name, prop in schema["properties"].items():
            prop = {k: v for k, v in prop.items() if k != "title"}
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return params


def _problem(code: int, refs: dict) -> dict:
    return {
        "description": TITLES.get(code, "Error"),
        "content": {PROBLEM_TYPE: {"schema": refs[(Problem, "serialization")]}},
    }


def _operation(op: Operation, refs: dict) -> dict:
    responses: dict[str, dict] = {}
    if op.response is not None:
        responses[str(op.status)] = {
            "description": op.summary,
            "content": {"application/json": {"schema": refs[(op.response, "serialization")]}},
        }
    else:
        responses[str(op.status)] = {"description": op.summary}
    if op.method == "GET":
        responses["304"] = {"description": "Not modified (the If-None-Match ETag still holds)"}
    codes = set(EVERY_OPERATION) | set(op.problems)
    if op.who is not Who.ANYONE:
        codes |= {403}
    if op.body is not None:
        codes |= {413, 415, 422}
    codes |= {422}  # a query parameter it does not take
    for code in sorted(codes):
        responses[str(code)] = _problem(code, refs)
    spec = {
        "operationId": op.name,
        "summary": op.summary,
        "description": (op.view.__doc__ or "").strip(),
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": responses,
        "x-parley-who": op.who.value,
    }
    if op.who is Who.ANYONE:
        spec["security"] = [{}, {"token": []}]
    else:
        spec["security"] = [{"token": [op.scope.value]}]
        spec["x-parley-scope"] = op.scope.value
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return spec


def _webhooks(refs: dict) -> dict:
    """OpenAPI 3.1's ``webhooks``: each event Parley POSTs, with its payload's schema (the
    JSON format; a chat endpoint gets ``{"text": …}`` made from it instead)."""
    return {
        event.value: {
            "post": {
                "operationId": f"webhook_{event.value}",
                "summary": f"The {event.value} event",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": refs[(model, "serialization")]}},
                },
                "responses": {"2XX": {"description": "Delivered; anything else is retried"}},
            }
        }
        for event, model in EVENT_SCHEMAS.items()
    }


def build_document(ops: list[Operation], server_url: str, site_name: str) -> dict:
    """The OpenAPI 3.1 document of ``ops``, served at ``server_url``."""
    refs, schemas = _refs(ops)
    paths: dict[str, dict] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": f"{site_name} API",
            "version": "1",
            "description": (
                "Posts, comments and the response tracker as JSON. Send a personal access "
                "token (made on your account page) as 'Authorization: Bearer pat_…'; each "
                "operation names the scope it needs. Errors are RFC 9457 problem details."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "webhooks": _webhooks(refs),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token: pat_ and 43 characters.",
                }
            },
        },
    }
