"""JSON Schema of the matter file, generated from the pydantic models (for editors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Matter

if TYPE_CHECKING:
    from .findings import Finding
    from .workspace import FieldDef, Workspace

_TYPES = {"文本": "string", "整数": "integer", "数值": "number", "日期": "string", "是否": "boolean"}


def schema_text(ws: Workspace) -> str:
    """The JSON Schema for this workspace's matters, as ``yilan schema`` prints and init writes it."""
    import json

    seen: dict[str, FieldDef] = {}
    for lg in ws.ledgers.values():
        for f in lg.fields:
            seen.setdefault(f.name, f)
    return json.dumps(matter_schema(tuple(seen.values())), ensure_ascii=False, indent=2) + "\n"


SCHEMA_FILE = "schemas/matter.schema.json"


def stale_schema(ws: Workspace) -> Finding | None:
    """A finding when the committed schemas/matter.schema.json no longer matches the models and ledgers."""
    from .findings import make_finding

    path = ws.root / SCHEMA_FILE
    if not path.exists():
        return None
    try:
        if path.read_text(encoding="utf-8") == schema_text(ws):
            return None
    except (OSError, UnicodeDecodeError):  # not UTF-8, a folder: not the schema either, and made again the same way
        pass
    return make_finding(SCHEMA_FILE, 1, 1, "E401")


def matter_schema(fields: tuple[FieldDef, ...] = ()) -> dict[str, Any]:
    """Draft 2020-12 schema with the Chinese keys; ledger extra fields are added as optional keys."""
    schema = Matter.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "督办事项 (yilan matter)"
    props = schema.setdefault("properties", {})
    for f in fields:
        if f.type == "列表":
            props[f.name] = {"type": "array", "items": {"type": "string"}, "description": f.key}
        else:
            entry: dict[str, Any] = {"type": _TYPES[f.type], "description": f.key}
            if f.type == "日期":
                entry["format"] = "date"
            props[f.name] = entry
    return schema
