"""Generate ``explorer.models.contracts`` from the DataStorage OpenAPI contracts.

    python scripts/generate_models.py [--spec-dir ../shared/spec] [--only NAME]

One module per contract version in ``CONTRACTS`` (upstream main and the releases
clusters run), plus ``contracts/catalog.py`` listing them. The specs are reference
material: only facts (names, types, enums, constraints, nullability, the discriminator
mapping) reach the generated modules. Prose is stripped where it is an annotation (a
schema keyword), never where it is a property name: ``summary``, ``title`` and
``description`` are real properties of some payloads.

Pipeline, per contract:
1. keep the schemas reachable from the audit envelope, the query page and the export
   document, with their prose annotations removed;
2. mark every optional, non-nullable property, so the code generator's output can be
   told apart from genuinely nullable ones (it types both as ``T | None = None``), and
   every object schema that allows no additional properties;
3. run datamodel-code-generator (pinned version, pinned flags below);
4. make integer formats explicit bounds (int32, int64; a plain integer is int64);
5. rewrite the marked fields as ``T = Field(default=None)`` so that an explicit JSON
   ``null`` fails validation while an omitted field does not, close the marked models
   (``extra="forbid"``), and append the discriminator mapping (event type -> schema);
6. format with ruff.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
import types
import typing
from dataclasses import dataclass
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
# Keywords whose value maps names (not keywords) to schemas or references.
NAME_MAPS = {"properties", "mapping"}
MARK = "__optional_not_nullable__"
REPO = Path(__file__).resolve().parents[1]
OUTPUT_DIR = REPO / "src" / "explorer" / "models" / "contracts"
SPEC_DIR = REPO.parent / "shared" / "spec"


@dataclass(frozen=True)
class ContractSource:
    """One contract version: its name in the tool, its file in the spec dir, its origin."""

    name: str
    file: str
    upstream: str
    date: str

    @property
    def module(self) -> str:
        """``v1.5.7`` -> ``v1_5_7``; ``2026-01-24`` -> ``d2026_01_24``."""
        stem = self.name.replace(".", "_").replace("-", "_")
        return stem if stem[0].isalpha() else "d" + stem


# Oldest first. The default contract is ``main``.
CONTRACTS = (
    ContractSource(
        "2026-01-24",
        "history/data-storage-v1.2026-01-24.yaml",
        "main, just after the typed-union migration",
        "2026-01-24",
    ),
    ContractSource(
        "v1.4.0", "history/data-storage-v1.v1.4.0.yaml", "tag v1.4.0 (4e64b2657)", "2026-05-12"
    ),
    ContractSource(
        "v1.5.7", "history/data-storage-v1.v1.5.7.yaml", "tag v1.5.7 (3592e6985)", "2026-08-16"
    ),
    ContractSource(
        "v1.6.0-rc4",
        "history/data-storage-v1.v1.6.0-rc4.yaml",
        "tag v1.6.0-rc4 (2a21d128c)",
        "2026-08-21",
    ),
    ContractSource("main", "data-storage-v1.yaml", "main d8bf8bd", "2026-08-22"),
)
DEFAULT = "main"


def _strip(node: Any, names: bool = False) -> Any:
    """Drop prose keywords; the keys of a name map (``properties``) are names, kept."""
    if isinstance(node, dict):
        return {
            k: _strip(v, names=not names and k in NAME_MAPS)
            for k, v in node.items()
            if names or k not in PROSE_KEYS
        }
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
    """Tag properties that may be omitted but must not be null, and closed objects."""
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
        # The generator renders a top-level schema's description as the class docstring,
        # and a property's (an inline object's included) as the attribute's docstring.
        body: list[ast.stmt] = []
        for stmt in node.body:
            doc = (
                str(stmt.value.value)
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                else None
            )
            if doc is None:
                body.append(stmt)
                continue
            if MARK in doc and body and isinstance(body[-1], ast.AnnAssign):
                body[-1].value = ast.Call(
                    ast.Name("Field"), [], [ast.keyword("description", ast.Constant(MARK))]
                )
        node.body = body
        self.generic_visit(node)
        return node


def _model_in(annotation: Any) -> Any:
    """The model class an annotation holds (through Annotated, ``| None`` and list)."""
    if isinstance(annotation, type):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None and hasattr(found, "model_fields"):
            return found
    return None


def _closed_classes(schemas: dict[str, Any], code: str) -> set[str]:
    """Names of the generated classes whose schema allows no additional properties.

    The generator names inline objects itself, so the spec and the generated models are
    walked side by side: component schema -> class of that name, property -> its field's
    model, array -> its items' model.
    """
    module = types.ModuleType("_generated_contract")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, module.__name__, "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    closed: set[str] = set()

    def walk(schema: Any, model: Any) -> None:
        if not isinstance(schema, dict) or model is None or not hasattr(model, "model_fields"):
            return
        if schema.get("type") == "array":
            walk(schema.get("items"), model)
            return
        if "$ref" in schema or "allOf" in schema:
            return  # a component schema: walked under its own name
        if schema.get("additionalProperties") is False and "properties" in schema:
            closed.add(model.__name__)
        fields = {(f.alias or n): f for n, f in model.model_fields.items()}
        for name, prop in (schema.get("properties") or {}).items():
            if name in fields:
                walk(prop, _model_in(fields[name].annotation))

    for name, schema in schemas.items():
        walk(schema, getattr(module, name, None))
    return closed


def _close(tree: ast.Module, names: set[str]) -> int:
    """``extra="forbid"`` for the models of closed objects; returns how many."""
    closed = 0
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.name not in names:
            continue
        for stmt in cls.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else []
            if targets and getattr(targets[0], "id", "") == "model_config":
                assert isinstance(stmt.value, ast.Call)  # type: ignore[attr-defined]
                for kw in stmt.value.keywords:  # type: ignore[attr-defined]
                    if kw.arg == "extra":
                        kw.value = ast.Constant("forbid")
                        closed += 1
    return closed


HEADER = '''"""Pydantic models of the DataStorage audit contract {name} ({upstream}, {date}).

GENERATED by ``scripts/generate_models.py`` (datamodel-code-generator {version}): do not
edit. Optional properties the contract does not mark nullable are typed
``T = Field(default=None)``: omitting them is fine, an explicit null is not. Objects the
contract closes (no additional properties) forbid extra keys.
"""
# ruff: noqa
# mypy: ignore-errors

'''

CATALOG_HEADER = (
    '"""The contract versions shipped with the tool. '
    'GENERATED by scripts/generate_models.py."""\n\n# ruff: noqa\n\n'
)


def generate(source: ContractSource, spec_path: Path, output: Path) -> dict[str, Any]:
    """Write the module of one contract; returns its catalog entry."""
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
    closed = _close(tree, _closed_classes(doc["components"]["schemas"], code))
    body = [
        n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    tree.body = body
    header = HEADER.format(
        name=source.name, upstream=source.upstream, date=source.date, version=GENERATOR_VERSION
    )
    text = header + ast.unparse(ast.fix_missing_locations(tree))
    lines = ["", "", "# event type -> payload schema name (the contract's discriminator mapping)"]
    lines.append("EVENT_TYPE_SCHEMAS: dict[str, str] = {")
    lines += [f"    {k!r}: {v!r}," for k, v in mapping.items()]
    lines.append("}")
    text += "\n".join(lines) + "\n"
    output.write_text(text, encoding="utf-8")
    print(
        f"wrote {output.name}: {len(doc['components']['schemas'])} schemas, "
        f"{len(mapping)} event types, {rewriter.rewritten} optional non-nullable fields, "
        f"{closed} closed objects",
        file=sys.stderr,
    )
    return _entry(source, mapping)


def _entry(source: ContractSource, mapping: dict[str, str]) -> dict[str, Any]:
    return {
        "name": source.name,
        "module": source.module,
        "upstream": source.upstream,
        "date": source.date,
        "event_types": len(mapping),
        "payload_schemas": len(set(mapping.values())),
    }


def write_catalog(entries: list[dict[str, Any]], output: Path) -> None:
    lines = [CATALOG_HEADER + "# Oldest first; each entry names its module in this package."]
    lines.append("CONTRACTS: tuple[dict[str, str | int], ...] = (")
    lines += [f"    {entry!r}," for entry in entries]
    lines.append(")")
    lines.append(f"DEFAULT = {DEFAULT!r}")
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate_all(spec_dir: Path, output_dir: Path, only: str | None = None) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for source in CONTRACTS:
        target = output_dir / f"{source.module}.py"
        if only is None or only == source.name:
            entries.append(generate(source, spec_dir / source.file, target))
        else:
            entries.append(_catalog_entry_of(source, spec_dir / source.file))
    write_catalog(entries, output_dir / "catalog.py")
    targets = [str(output_dir / f"{s.module}.py") for s in CONTRACTS] + [
        str(output_dir / "catalog.py")
    ]
    # --isolated: the same text wherever it is written (no config file found by walking up)
    isolated = ["--isolated", "--line-length", "100"]
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", *isolated, "--quiet", *targets], check=True
    )


def _catalog_entry_of(source: ContractSource, spec_path: Path) -> dict[str, Any]:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    _, mapping = prepare_spec(spec)
    return _entry(source, mapping)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--spec-dir", type=Path, default=SPEC_DIR, help="the folder of data-storage-v1.yaml"
    )
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    parser.add_argument(
        "--only", choices=[s.name for s in CONTRACTS], help="regenerate one contract"
    )
    args = parser.parse_args()
    generate_all(args.spec_dir, args.output_dir, args.only)


if __name__ == "__main__":
    main()
