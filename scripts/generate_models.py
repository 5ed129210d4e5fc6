"""Generate ``explorer.models.payloads`` from the DataStorage OpenAPI contract.

    python scripts/generate_models.py ../shared/spec/data-storage-v1.yaml

The spec is reference material: only facts (names, types, enums, constraints,
nullability, the discriminator mapping) reach the generated module. Descriptions,
examples and titles are stripped before the generator sees the schema.

Pipeline:
1. keep the schemas reachable from the audit envelope, the query page and the export
   document, with their prose removed;
2. mark every optional, non-nullable property, so the code generator's output can be
   told apart from genuinely nullable ones (it types both as ``T | None = None``);
3. run datamodel-code-generator (pinned version, pinned flags below);
4. make integer formats explicit bounds (int32, int64; a plain integer is int64);
5. rewrite the marked fields as ``T = Field(default=None)`` so that an explicit JSON
   ``null`` fails validation while an omitted field does not, and append the
   discriminator mapping (event type -> schema name);
6. format with ruff.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

GENERATOR_VERSION = "0.89.0"
GENERATOR_FLAGS = [
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--enum-field-as-literal", "all",
    "--field-constraints",
    "--use-annotated",
    "--strict-nullable",
    "--use-standard-collections",
    "--use-union-operator",
    "--target-python-version", "3.11",
    "--disable-timestamp",
    "--use-double-quotes",
    "--extra-fields", "allow",
    "--use-field-description",
    "--formatters", "builtin",
]  # fmt: skip

ROOTS = ("AuditEvent", "AuditEventRequest", "AuditEventsQueryResponse", "AuditExportResponse")
PROSE_KEYS = {"description", "example", "examples", "title", "summary", "externalDocs"}
MARK = "__optional_not_nullable__"
REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "src" / "explorer" / "models" / "payloads.py"


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in PROSE_KEYS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _reachable(schemas: dict[str, Any]) -> dict[str, Any]:
    keep: set[str] = set()
    todo = [r for r in ROOTS if r in schemas]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        todo.extend(_refs(schemas[name]) - keep)
    return {name: schemas[name] for name in schemas if name in keep}


def _mark_optional_non_nullable(node: Any) -> None:
    """Tag properties that may be omitted but must not be null."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            required = set(node.get("required", []))
            for name, prop in props.items():
                if not isinstance(prop, dict) or name in required or prop.get("nullable"):
                    continue
                if "$ref" in prop:
                    # A sibling of $ref is ignored by the generator; wrap it.
                    props[name] = {"allOf": [{"$ref": prop.pop("$ref")}], **prop}
                    prop = props[name]
                prop["description"] = MARK
        for value in node.values():
            _mark_optional_non_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _mark_optional_non_nullable(value)


_INT_RANGES = {"int32": 2**31, "int64": 2**63, None: 2**63}


def _bound_integers(node: Any) -> None:
    """Make integer formats explicit: a Go client cannot hold an int32 of 2**40."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("format") in _INT_RANGES:
            bound = _INT_RANGES[node.get("format")]
            node.setdefault("minimum", -bound)
            node.setdefault("maximum", bound - 1)
        for value in node.values():
            _bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            _bound_integers(value)


def prepare_spec(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    schemas = _reachable(_strip(spec["components"]["schemas"]))
    _bound_integers(schemas)
    event_data = schemas["AuditEventRequest"]["properties"]["event_data"]
    mapping = {
        event_type: ref.rsplit("/", 1)[1]
        for event_type, ref in event_data["discriminator"]["mapping"].items()
    }
    _mark_optional_non_nullable(schemas)
    doc = {
        "openapi": spec.get("openapi", "3.0.3"),
        "info": {"title": "audit", "version": str(spec.get("info", {}).get("version", "0"))},
        "paths": {},
        "components": {"schemas": schemas},
    }
    return doc, mapping


def _field_call_parts(node: ast.expr) -> ast.Call | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Field":
        return node
    return None


def _drop_none(annotation: ast.expr) -> ast.expr:
    """``T | None`` -> ``T`` (the generator renders optional types that way)."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        if isinstance(annotation.right, ast.Constant) and annotation.right.value is None:
            return annotation.left
        return ast.BinOp(_drop_none(annotation.left), ast.BitOr(), annotation.right)
    return annotation


class _Rewriter(ast.NodeTransformer):
    """Turn marked ``x: T | None = None`` fields into ``x: T = Field(default=None)``."""

    def __init__(self) -> None:
        self.rewritten = 0

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AnnAssign:
        marked = False
        ann = node.annotation
        calls: list[ast.Call] = []
        if isinstance(ann, ast.Subscript) and getattr(ann.value, "id", None) == "Annotated":
            elts = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
            calls += [c for c in map(_field_call_parts, elts[1:]) if c is not None]
        value_call = _field_call_parts(node.value) if node.value is not None else None
        if value_call is not None:
            calls.append(value_call)
        for call in calls:
            for kw in list(call.keywords):
                if kw.arg == "description":
                    if isinstance(kw.value, ast.Constant) and kw.value.value == MARK:
                        marked = True
                    call.keywords.remove(kw)
        if isinstance(ann, ast.Subscript) and getattr(ann.value, "id", None) == "Annotated":
            assert isinstance(ann.slice, ast.Tuple)
            kept = [e for e in ann.slice.elts[1:] if not (_field_call_parts(e) and not e.keywords)]  # type: ignore[union-attr]
            if not kept:
                node.annotation = ann = ann.slice.elts[0]
            else:
                ann.slice.elts = [ann.slice.elts[0], *kept]
        if value_call is not None and not value_call.keywords and not value_call.args:
            node.value = ast.Constant(None)
        if marked:
            if isinstance(ann, ast.Subscript) and getattr(ann.value, "id", None) == "Annotated":
                assert isinstance(ann.slice, ast.Tuple)
                ann.slice.elts[0] = _drop_none(ann.slice.elts[0])
            else:
                node.annotation = _drop_none(ann)
            node.value = ast.Call(
                ast.Name("Field"), [], [ast.keyword("default", ast.Constant(None))]
            )
            self.rewritten += 1
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        # The generator renders a lone description as an attribute docstring.
        body: list[ast.stmt] = []
        for stmt in node.body:
            is_doc = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            if is_doc and body and isinstance(body[-1], ast.AnnAssign):
                if MARK in str(stmt.value.value):  # type: ignore[attr-defined]
                    field = body[-1]
                    field.value = ast.Call(
                        ast.Name("Field"), [], [ast.keyword("description", ast.Constant(MARK))]
                    )
                continue
            body.append(stmt)
        node.body = body
        self.generic_visit(node)
        return node


HEADER = '''"""Pydantic models of the DataStorage audit contract. GENERATED: do not edit.

Regenerate with ``python scripts/generate_models.py PATH/TO/data-storage-v1.yaml``
(datamodel-code-generator {version}). Optional properties the contract does not mark
nullable are typed ``T = Field(default=None)``: omitting them is fine, an explicit null
is not.
"""
# ruff: noqa
# mypy: ignore-errors

'''


def generate(spec_path: Path, output: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    doc, mapping = prepare_spec(spec)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp, "spec.yaml"), Path(tmp, "models.py")
        src.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(src),
            "--output",
            str(out),
            *GENERATOR_FLAGS,
        ]
        subprocess.run(cmd, check=True)
        code = out.read_text(encoding="utf-8")
    tree = ast.parse(code)
    rewriter = _Rewriter()
    tree = rewriter.visit(tree)
    body = [
        n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    tree.body = body
    text = HEADER.format(version=GENERATOR_VERSION) + ast.unparse(ast.fix_missing_locations(tree))
    lines = ["", "", "# event type -> payload schema name (the contract's discriminator mapping)"]
    lines.append("EVENT_TYPE_SCHEMAS: dict[str, str] = {")
    lines += [f"    {k!r}: {v!r}," for k, v in mapping.items()]
    lines.append("}")
    text += "\n".join(lines) + "\n"
    output.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(output)], check=True)
    print(
        f"wrote {output}: {len(doc['components']['schemas'])} schemas, "
        f"{len(mapping)} event types, {rewriter.rewritten} optional non-nullable fields",
        file=sys.stderr,
    )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="path to data-storage-v1.yaml")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    generate(args.spec, args.output)


if __name__ == "__main__":
    main()
