"""The layout's rules, checked from the source: which package may import what, module sizes,
and no import cycles (imports inside functions included, type-checking-only ones not)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pixazo_cli"
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> set[str]:
    """Every module this one imports when it runs, at load or later inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else \
        module_name(path).rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            # `from package import submodule` loads the submodule; any other name, the module.
            names = {f"{base}.{alias.name}" for alias in node.names}
            found.update(names & MODULES.keys())
            if names - MODULES.keys():
                found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


GRAPH = {name: {m for m in imports_of(path) if m in MODULES and m != name}
         for name, path in MODULES.items()}


def importers_of(library: str) -> set[str]:
    return {name for name, path in MODULES.items()
            if any(m == library or m.startswith(library + ".") for m in imports_of(path))}


def test_the_top_level_keeps_only_the_entry_point_version_errors_and_two_leaves() -> None:
    # The leaves every layer uses and that import nothing of the tool: the key mask and the
    # reader of JSON from outside. Anything else belongs in a package.
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top <= {"__init__.py", "__main__.py", "entry.py", "errors.py", "version.py",
                   "scrub.py", "jsontext.py"}, sorted(top)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_longer_than_a_reader_takes_in(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_typer_is_imported_only_by_the_cli_package() -> None:
    assert {m for m in importers_of("typer") if not m.startswith("pixazo_cli.cli")} == set()


def test_cli_modules_keep_their_annotations_as_objects_for_typer() -> None:
    # As strings (the __future__ import), typer evals each one at every start-up.
    lazy = [name for name, path in MODULES.items() if name.startswith("pixazo_cli.cli")
            and "\nfrom __future__ import annotations" in path.read_text(encoding="utf-8")]
    assert lazy == []


def test_rich_is_imported_only_by_the_ui_package() -> None:
    assert {m for m in importers_of("rich") if not m.startswith("pixazo_cli.ui")} == set()


def test_the_model_table_and_the_records_never_import_httpx() -> None:
    offenders = {m for m in importers_of("httpx")
                 if m.startswith(("pixazo_cli.models", "pixazo_cli.record"))}
    assert offenders == set()
    # Nor through anything they import: loading them leaves httpx unloaded.
    code = ("import sys, pixazo_cli.models.table, pixazo_cli.models.request, pixazo_cli.record;"
            "print('httpx' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True).stdout.strip()
    assert loaded == "False"


def test_the_flow_knows_nothing_of_the_cli_or_the_terminal() -> None:
    lower = ("pixazo_cli.flow", "pixazo_cli.http", "pixazo_cli.models", "pixazo_cli.record",
             "pixazo_cli.batch", "pixazo_cli.settings", "pixazo_cli.compare",
             "pixazo_cli.history", "pixazo_cli.sinks", "pixazo_cli.assets")
    upper = ("pixazo_cli.cli", "pixazo_cli.commands", "pixazo_cli.ui")
    crossings = sorted(f"{name} -> {target}" for name, targets in GRAPH.items()
                       if name.startswith(lower) for target in targets
                       if target.startswith(upper))
    assert crossings == []


def test_the_file_writer_stands_below_every_layer() -> None:
    # Images, sidecars, manifests, the config, sheets and grids are all written through
    # sinks/files.py and sinks/made.py, so they may import nothing but the errors, the key mask
    # and the JSON reader (both importing nothing of the tool) and each other.
    writer = ("pixazo_cli.sinks.files", "pixazo_cli.sinks.made", "pixazo_cli.sinks.stamp")
    allowed = ("pixazo_cli.errors", "pixazo_cli.scrub", "pixazo_cli.jsontext", *writer)
    crossings = sorted(f"{name} -> {target}" for name in writer for target in GRAPH[name]
                       if target not in allowed)
    assert crossings == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle_between_modules() -> None:
    assert find_cycle(GRAPH) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
