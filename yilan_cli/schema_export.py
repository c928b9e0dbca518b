"""JSON Schema of the matter file, generated from the pydantic models (for editors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Matter

if TYPE_CHECKING:
    from .workspace import FieldDef

_TYPES = {"文本": "string", "整数": "integer", "数值": "number", "日期": "string", "是否": "boolean"}


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
