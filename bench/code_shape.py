"""The shape of the code: the longest functions, and the import cycles among ehc_tracker's modules.

    python bench/code_shape.py [--top N]

Module-level imports (those run when a module is first imported, outside `if TYPE_CHECKING:`)
make the import graph whose cycles are listed; imports inside functions run later and are
listed separately, with a count, since they are often how a cycle is put off rather than
removed. tests/unit/test_code_shape.py keeps the module-level graph free of cycles.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ehc_tracker"


@dataclass(frozen=True)
class Function:
    module: str
    name: str
    line: int
    lines: int


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    top_imports: set[str] = field(default_factory=set)
    local_imports: Counter[str] = field(default_factory=Counter)


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def load_modules(root: Path = ROOT) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        name, is_package = _module_name(path)
        modules[name] = Module(name, path, is_package, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(module: Module, node: ast.Import | ast.ImportFrom, known: dict[str, Module]) -> set[str]:
    """The ehc_tracker modules an import statement loads (itself and any submodule it names)."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                found.add(alias.name)
        return found
    if node.level:
        base = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    submodules = {f"{source}.{alias.name}" for alias in node.names} & known.keys()
    found |= submodules
    # `from . import schemas` loads the submodule only: the package it sits in is already being
    # imported (a package is always imported before its modules), so that is no edge to it.
    only_submodules = len(submodules) == len(node.names)
    if source in known and not (only_submodules and module.name.startswith(source + ".")):
        found.add(source)
    return found


def _walk_imports(module: Module, known: dict[str, Module]) -> None:
    def visit(nodes: list[ast.stmt], in_function: bool) -> None:
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(module, node, known) - {module.name}:
                    if in_function:
                        module.local_imports[target] += 1
                    else:
                        module.top_imports.add(target)
            elif isinstance(node, ast.If) and _is_type_checking(node) and not in_function:
                visit(node.orelse, in_function)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(node.body, True)
            else:
                for child_field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, child_field, None)
                    if isinstance(children, list):
                        visit(
                            [c for c in children if isinstance(c, ast.stmt) or isinstance(c, ast.ExceptHandler)],
                            in_function,
                        )  # type: ignore[misc]

    visit(module.tree.body, False)


def import_graph(modules: dict[str, Module]) -> dict[str, set[str]]:
    for module in modules.values():
        _walk_imports(module, modules)
    return {name: set(m.top_imports) for name, m in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another in a ring (strongly connected, 2 or more),
    as one such ring: the shortest cycle through the group's first module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    def strongconnect(start: str) -> None:
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)

    for name in sorted(graph):
        if name not in index:
            strongconnect(name)
    return [_ring(graph, group) for group in sorted(groups, key=lambda g: sorted(g))]


def _ring(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    start = min(group)
    paths: list[list[str]] = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for child in sorted(graph[path[-1]] & group):
            if child == start:
                return path + [start]
            if child not in seen:
                seen.add(child)
                paths.append(path + [child])
    return sorted(group)  # pragma: no cover - a strongly connected group always has a ring


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for child in graph.get(todo.pop(), set()):
            if child == goal:
                return True
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return False


def functions(modules: dict[str, Module]) -> list[Function]:
    found: list[Function] = []

    def visit(node: ast.AST, module: str, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                found.append(
                    Function(module, name, child.lineno, (child.end_lineno or child.lineno) - child.lineno + 1)
                )
                visit(child, module, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, module, f"{prefix}{child.name}.")
            else:
                visit(child, module, prefix)

    for module in modules.values():
        visit(module.tree, module.name, "")
    return sorted(found, key=lambda f: (-f.lines, f.module, f.line))


def report(top: int = 20) -> str:
    modules = load_modules()
    graph = import_graph(modules)
    out = [f"Longest functions (top {top} of {len(functions(modules))}, lines from def to end):"]
    for f in functions(modules)[:top]:
        path = modules[f.module].path.relative_to(ROOT)
        out.append(f"  {f.lines:5d}  {path}:{f.line}  {f.name}")
    found = cycles(graph)
    out.append("")
    out.append(f"Module-level import cycles: {len(found)}")
    for ring in found:
        out.append("  " + " -> ".join(ring))
    local = sorted(
        ((m.name, target, count) for m in modules.values() for target, count in m.local_imports.items()),
        key=lambda row: (row[0], row[1]),
    )
    out.append("")
    out.append(
        f"Imports inside functions: {sum(c for _, _, c in local)} (of {len({t for _, t, _ in local})} modules, from {len({m for m, _, _ in local})})"
    )
    for name, target, count in local:
        back = " (a cycle if made at module level)" if _reaches(graph, target, name) else ""
        out.append(f"  {name} -> {target}{f' x{count}' if count > 1 else ''}{back}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=20, help="How many of the longest functions to list (default 20).")
    args = parser.parse_args(argv)
    print(report(args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
