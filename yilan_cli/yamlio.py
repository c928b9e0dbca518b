"""The two YAML readers and the writer.

* ``fast_load`` — libyaml (PyYAML's C parser) into plain Python values. Used for every read.
* ``positioned_load`` — ruamel.yaml round-trip, keeping line/column marks. Used only when a file
  fails the fast path (to say *where*) and by writers (to keep comments and key order).

Both readers share one scalar resolver (``plain_tag``) so they agree on what a document means:
YAML 1.2 core booleans/null/decimal integers/floats; everything else — dates included — stays a
string and is parsed by the models, so an impossible date is a finding with a line, not a crash.
Explicit tags other than the core ones, duplicate keys and alias expansion beyond a small bound
are refused by both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 1 << 20  # a matter file is ~2 KB; 1 MiB leaves room and stops runaway files
MAX_ALIASES = 16  # yilan never writes aliases; a few hand-written ones are tolerated
MAX_DEPTH = 32  # a matter nests 3 levels deep

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq")
)


def plain_tag(value: str) -> str:
    """Tag of an untagged plain scalar, identical for both readers."""
    if value in _NULLS:
        return "tag:yaml.org,2002:null"
    if value in _BOOLS:
        return "tag:yaml.org,2002:bool"
    if _INT.fullmatch(value):
        return "tag:yaml.org,2002:int"
    if _FLOAT.fullmatch(value):
        return "tag:yaml.org,2002:float"
    return STR_TAG


@dataclass
class YamlProblem(Exception):
    """A document that cannot be read. ``line``/``column`` are 1-based, 0 when unknown."""

    code: str
    line: int = 0
    column: int = 0
    params: dict[str, Any] | None = None


# --------------------------------------------------------------------------- fast reader
def _fast_loader_class() -> type:
    import yaml
    from yaml.constructor import SafeConstructor
    from yaml.resolver import BaseResolver

    try:
        from yaml._yaml import CParser as Parser
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        from yaml.composer import Composer
        from yaml.parser import Parser as _P
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class Parser(Reader, Scanner, _P, Composer):  # type: ignore[no-redef]
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                _P.__init__(self)
                Composer.__init__(self)

    class Loader(Parser, SafeConstructor, BaseResolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            Parser.__init__(self, stream)
            SafeConstructor.__init__(self)
            BaseResolver.__init__(self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is yaml.ScalarNode and implicit[0]:
                return plain_tag(value)
            return BaseResolver.resolve(self, kind, value, implicit)

        def construct_yaml_int(self, node: Any) -> int:
            return int(node.value)

        def construct_yaml_float(self, node: Any) -> float:
            return float(node.value)

        def construct_yaml_bool(self, node: Any) -> bool:
            return _BOOLS[node.value]

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)  # type: ignore[type-var]
    Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)  # type: ignore[type-var]
    Loader.add_constructor("tag:yaml.org,2002:bool", Loader.construct_yaml_bool)  # type: ignore[type-var]
    return Loader


def _mark(node: Any) -> tuple[int, int]:
    m = getattr(node, "start_mark", None)
    return (m.line + 1, m.column + 1) if m is not None else (0, 0)


_FAST_LOADER: type | None = None


def fast_load(text: str) -> Any:
    """Parse ``text`` with libyaml. Raises YamlProblem (positions may be 0) or yaml errors."""
    global _FAST_LOADER
    if _FAST_LOADER is None:
        _FAST_LOADER = _fast_loader_class()
    loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- positioned reader
def _rt_yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.tag import Tag

    class Resolver(VersionedResolver):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:
                return Tag(suffix=plain_tag(value))
            return super().resolve(kind, value, implicit)

    y = YAML(typ="rt")
    y.Resolver = Resolver
    # never write anchors/aliases (the alias guard would then refuse yilan's own output)
    y.representer.ignore_aliases = lambda data: True
    y.allow_duplicate_keys = False
    y.preserve_quotes = True
    y.width = 4096  # never fold long Chinese lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


_RT: Any = None


def rt_yaml() -> Any:
    global _RT
    if _RT is None:
        _RT = _rt_yaml()
    return _RT


def positioned_load(text: str) -> Any:
    """Parse with ruamel round-trip; return CommentedMap/Seq with ``.lc`` marks.

    Raises YamlProblem with a 1-based position for every way a document can be unreadable.
    """
    import warnings

    from ruamel.yaml.error import MarkedYAMLError

    try:
        y = rt_yaml()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel warns about reused anchors; the walk below judges them
            root = y.compose(text)
            if root is not None:
                check_nodes(root)
            data = y.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = f"{e.problem or ''} {e.context or ''}"
        if "\\t" in problem or "'\\t'" in problem or "tab" in problem.lower():
            raise YamlProblem("E103", *_first_tab(text, line, col)) from None
        raise YamlProblem("E104", line, col, {"detail": explain(problem)}) from None
    except YamlProblem:
        raise
    except RecursionError:
        raise YamlProblem("E109", 1, 1) from None
    except Exception as e:  # noqa: BLE001 - ruamel raises plain errors for a few malformed inputs
        raise YamlProblem("E104", 1, 1, {"detail": explain(str(e)[:200])}) from None
    return data


_PARSER_WORDS = (  # the parser's English, in the words of a county office (zh, en)
    ("expected ',' or ']'", "方括号 [ ] 没有配对或缺少逗号", "unbalanced [ ] or a missing comma"),
    ("expected ',' or '}'", "花括号 { } 没有配对或缺少逗号", "unbalanced { } or a missing comma"),
    ("could not find expected ':'", "缺少冒号,或上一行的引号没有配对", "a colon is missing, or a quote is not closed"),
    ("mapping values are not allowed", "此处不能出现冒号;内容中含有\": \"时请整体加引号",
     "a colon is not allowed here; quote text containing ': '"),
    ("cannot start any token", "内容不能以 % @ ` 等符号开头,请加引号", "text cannot start with % @ `; quote it"),
    ("found unexpected end of stream", "引号没有配对", "a quote is not closed"),
    ("did not find expected key", "缩进不一致或缺少冒号", "inconsistent indentation or a missing colon"),
    ("did not find expected '-' indicator", "列表的缩进不一致", "inconsistent list indentation"),
    ("expected <block end>", "缩进不一致", "inconsistent indentation"),
    ("expected a single document", "文件中只能有一个事项(不要用 --- 分隔多个)", "one matter per file (no --- separators)"),
)


def explain(problem: str) -> str:
    """The parser's complaint in plain words, or its own text when we have none."""
    from .i18n import lang

    for needle, zh, en in _PARSER_WORDS:
        if needle in problem:
            return en if lang() == "en" else zh
    return problem.strip()


def short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _first_tab(text: str, line: int, col: int) -> tuple[int, int]:
    for i, raw in enumerate(text.splitlines(), 1):
        lead = raw[: len(raw) - len(raw.lstrip(" \t"))]
        if "\t" in lead:
            return i, lead.index("\t") + 1
    return line, col


def check_nodes(root: Any) -> None:
    """Tags, aliases, depth and duplicate keys on a composed node graph.

    One walk serves both readers (libyaml's and ruamel's nodes share ``id``, ``tag``, ``value`` and
    ``start_mark``), so they refuse exactly the same documents for these reasons.
    """
    seen: set[int] = set()
    aliases = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlProblem("E107", *_mark(node))
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlProblem("E109", *_mark(node))
        tag = str(node.tag)
        if tag not in _ALLOWED_TAGS:
            raise YamlProblem("E106", *_mark(node), {"tag": short_tag(tag)})
        if node.id == "mapping":
            keys: set[tuple[str, str]] = set()
            for k, v in node.value:
                if k.id != "scalar":
                    raise YamlProblem("E105", *_mark(k))
                key = (str(k.tag), k.value)
                if key in keys:
                    raise YamlProblem("E108", *_mark(k), {"key": k.value})
                keys.add(key)
                stack.append((v, depth + 1))
                stack.append((k, depth + 1))
        elif node.id == "sequence":
            stack.extend((v, depth + 1) for v in node.value)


def to_plain(node: Any) -> Any:
    """Round-trip tree → the same plain values the fast reader gives."""
    if isinstance(node, dict):
        return {to_plain(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if type(node).__name__ == "TaggedScalar":  # an explicit !!str
        return str(node.value)
    return node


def _safe(lc: Any, method: str, part: Any) -> tuple[int, int] | None:
    """``lc.key(part)`` / ``lc.item(part)`` as 0-based (line, column), or None without marks."""
    try:
        got = getattr(lc, method)(part)
        return int(got[0]), int(got[1])
    except (AttributeError, KeyError, TypeError, IndexError):  # a node without marks keeps its parent's
        return None


def position(tree: Any, loc: tuple[Any, ...]) -> tuple[int, int]:
    """1-based (line, column) of the value at ``loc`` in a round-trip tree.

    Walks as far as the path exists; a missing key points at its parent mapping, so "missing
    field" lands on the line of the mapping that should hold it.
    """
    line, col = 1, 1
    node: Any = tree
    for part in loc:
        lc: Any = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            mark = _safe(lc, "key", part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            mark = _safe(lc, "item", part)
        else:
            if lc is not None and lc.line is not None and (line, col) == (1, 1):
                line, col = lc.line + 1, (lc.col or 0) + 1
            break
        if mark is not None:
            line, col = mark[0] + 1, mark[1] + 1
        node = node[part]
    return line, col


# --------------------------------------------------------------------------- writer
# The canonical layout of a matter file: top-level keys in model order, lists of names and every
# item of 量化指标/节点/延期/进展 on one line in flow style (as officials read them in diffs).
FLOW_ITEM_LISTS = ("量化指标", "节点", "延期", "进展")
FLOW_SCALAR_LISTS = ("牵头领导", "配合单位", "标签")


def dump(tree: Any) -> str:
    """Serialize a round-trip tree (comments and untouched formatting kept), LF, no BOM."""
    import io

    buf = io.StringIO()
    rt_yaml().dump(tree, buf)
    return buf.getvalue()


def flow_map(d: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def flow_seq(items: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    s = CommentedSeq(items)
    s.fa.set_flow_style()
    return s


def canonical(tree: Any, order: list[str]) -> Any:
    """A new tree with keys in ``order`` (unknown keys after, as found) and the canonical styles.

    Comments attached to a key move with it, so ``fmt`` keeps the officials' notes.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out = CommentedMap()
    keys = [k for k in order if k in tree] + [k for k in tree if k not in order]
    for k in keys:
        v = tree[k]
        if k in FLOW_ITEM_LISTS and isinstance(v, list):
            seq = CommentedSeq()
            for item in v:
                seq.append(_flow_copy(item) if isinstance(item, dict) else item)
            v = seq
        elif k in FLOW_SCALAR_LISTS and isinstance(v, list):
            v = flow_seq(list(v))
        elif isinstance(v, dict):
            v = _flow_copy(v)
        out[k] = v
        if k in tree.ca.items:
            out.ca.items[k] = tree.ca.items[k]
    if tree.ca.comment:
        out.ca.comment = tree.ca.comment
    return out


def _flow_copy(d: dict[str, Any]) -> Any:
    return flow_map({k: (flow_seq(list(v)) if isinstance(v, list) else v) for k, v in d.items()})
