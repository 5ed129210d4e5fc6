"""Check HTTP requests against the operations of a DataStorage contract, read at test time.

``RequestChecker(contract).check(request)`` lists what is wrong with one request: no
operation for its method and path, a query parameter the operation does not declare, one
of the wrong type, format, enum or range (or repeated), a required one missing, a body
where there is none (or none where one is required, or one the schema refuses), an Accept
header that refuses what the operation answers. ``Checking`` is an httpx transport that
checks every request and forwards it (to a loopback stand-in).

The contract's parameters and schemas come from :mod:`tests.contract` (the YAML as
written), never from the models or the client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx

from tests.contract import Schema, spec

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    raw: dict[str, Any]


class RequestChecker:
    def __init__(self, contract: str = "main") -> None:
        self.spec = spec(contract)
        self.operations = [
            Operation(method.upper(), template, _template_pattern(template), op)
            for template, item in self.spec.raw["paths"].items()
            for method, op in item.items()
            if method in _METHODS
        ]

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            found = op.pattern.match(path)
            if found and op.method == method:
                return op, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def check(self, request: httpx.Request) -> list[str]:
        where = f"{request.method} {request.url.path}"
        found = self.find(request.method, request.url.raw_path.split(b"?")[0].decode())
        if found is None:
            return [f"{where}: no such operation in the contract"]
        op, path_params = found
        problems: list[str] = []
        params = [self._param(p) for p in op.raw.get("parameters", [])]
        query = parse_qs(request.url.query.decode(), keep_blank_values=True)
        declared = {p["name"]: p for p in params if p.get("in") == "query"}
        for name, values in query.items():
            param = declared.get(name)
            if param is None:
                problems.append(f"{where}: query parameter {name!r} is not declared")
                continue
            if len(values) > 1:
                problems.append(f"{where}: query parameter {name!r} is repeated")
            schema = self.spec.resolve(param.get("schema", {}))
            problems += [f"{where}: {name}: {p}" for p in _value_problems(values[0], schema)]
        for param in params:
            if param.get("required") and param.get("in") == "query" and param["name"] not in query:
                problems.append(f"{where}: required query parameter {param['name']!r} missing")
            if param.get("in") == "path":
                schema = self.spec.resolve(param.get("schema", {}))
                value = path_params.get(param["name"], "")
                problems += [
                    f"{where}: {param['name']}: {p}" for p in _value_problems(value, schema)
                ]
        problems += [f"{where}: {p}" for p in self._body_problems(op, request)]
        problems += [f"{where}: {p}" for p in _accept_problems(op, request)]
        return problems

    def _param(self, node: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            param: dict[str, Any] = self.spec.raw["components"]["parameters"][name]
            return param
        return node

    def _body_problems(self, op: Operation, request: httpx.Request) -> list[str]:
        body = request.content
        declared = op.raw.get("requestBody")
        if declared is None:
            return ["a body was sent, but the operation takes none"] if body else []
        if not body:
            return ["the required body is missing"] if declared.get("required") else []
        media = declared.get("content", {}).get("application/json")
        if media is None:
            return ["the operation takes no JSON body"]
        try:
            value = json.loads(body)
        except ValueError:
            return ["the body is not JSON"]
        return [f"body: {p}" for p in _json_problems(value, self.spec.resolve(media["schema"]))]


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(f"^{regex}$")


def _value_problems(text: str, schema: Schema) -> list[str]:
    """A query or path value (text) against its schema."""
    if schema.type == "integer":
        if not re.fullmatch(r"-?\d+", text):
            return [f"{text!r} is not an integer"]
        return _range_problems(int(text), schema)
    if schema.type == "number":
        try:
            return _range_problems(float(text), schema)
        except ValueError:
            return [f"{text!r} is not a number"]
    if schema.type == "boolean":
        return [] if text in ("true", "false") else [f"{text!r} is not a boolean"]
    problems = []
    if schema.enum is not None and text not in schema.enum:
        problems.append(f"{text!r} is not one of {list(schema.enum)}")
    if schema.format == "date-time" and not _RFC3339.match(text):
        problems.append(f"{text!r} is not an RFC 3339 date-time")
    pattern = schema.constraints.get("pattern")
    if pattern is not None and not re.search(pattern, text):
        problems.append(f"{text!r} does not match {pattern}")
    return problems


def _range_problems(number: float, schema: Schema) -> list[str]:
    low, high = schema.constraints.get("minimum"), schema.constraints.get("maximum")
    if low is not None and number < low:
        return [f"{number:g} is below the minimum {low}"]
    if high is not None and number > high:
        return [f"{number:g} is above the maximum {high}"]
    return []


def _json_problems(value: Any, schema: Schema, path: str = "$") -> list[str]:
    kinds: dict[str, Any] = {"object": dict, "array": list, "string": str, "boolean": bool}
    kinds |= {"integer": int, "number": (int, float)}
    if value is None:
        return [] if schema.nullable or schema.type is None else [f"{path} is null"]
    expected = kinds.get(schema.type or "")
    wrong = expected is not None and not isinstance(value, expected)
    if wrong or (schema.type in ("integer", "number") and isinstance(value, bool)):
        return [f"{path} is not a JSON {schema.type}"]
    if schema.enum is not None and value not in schema.enum:
        return [f"{path}: {value!r} is not one of {list(schema.enum)}"]
    if isinstance(value, str) and schema.format == "date-time" and not _RFC3339.match(value):
        return [f"{path}: {value!r} is not an RFC 3339 date-time"]
    if schema.type == "array" and isinstance(value, list) and schema.items is not None:
        items = schema.items
        return [p for i, v in enumerate(value) for p in _json_problems(v, items, f"{path}[{i}]")]
    if schema.type == "object" and isinstance(value, dict):
        problems = []
        for name, prop in (schema.properties or {}).items():
            if prop.required and name not in value:
                problems.append(f"{path}.{name} is required")
            elif name in value:
                problems += _json_problems(value[name], prop.schema, f"{path}.{name}")
        if schema.additional is False:
            extra = set(value) - set(schema.properties or {})
            problems += [f"{path}.{name} is not declared" for name in sorted(extra)]
        return problems
    return []


def response_problems(checker: RequestChecker, method: str, path: str, body: Any) -> list[str]:
    """An answer's JSON against the operation's 200 schema."""
    found = checker.find(method, path)
    if found is None:
        return [f"{method} {path}: no such operation in the contract"]
    media = found[0].raw["responses"]["200"]["content"]["application/json"]
    return _json_problems(body, checker.spec.resolve(media["schema"]))


def _accept_problems(op: Operation, request: httpx.Request) -> list[str]:
    accept = request.headers.get("Accept", "*/*")
    ranges = [part.split(";")[0].strip() for part in accept.split(",")]
    answers = {
        media
        for status, response in op.raw.get("responses", {}).items()
        if str(status).startswith("2")
        for media in response.get("content", {})
    }
    refused = [m for m in sorted(answers) if not _accepts(ranges, m)]
    return [f"Accept {accept!r} refuses {m}, what the operation answers" for m in refused]


def _accepts(ranges: list[str], media: str) -> bool:
    kind = media.split("/")[0]
    return any(r in ("*/*", media, f"{kind}/*") for r in ranges)


class Checking(httpx.BaseTransport):
    """Checks every request against the contract, then forwards it."""

    def __init__(self, checker: RequestChecker, forward: httpx.BaseTransport | None = None):
        self.checker = checker
        self.forward = forward or httpx.HTTPTransport()
        self.violations: list[str] = []
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.seen.append(f"{request.method} {request.url.path}")
        self.violations += self.checker.check(request)
        return self.forward.handle_request(request)

    def close(self) -> None:
        self.forward.close()
