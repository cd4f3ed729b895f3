"""The import directions ARCHITECTURE.md states: each part imports only parts below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "driftlint"

# Lower numbers are lower layers. A part may import parts of a lower layer only; `model` and
# `ltext` are one core and may import each other. Keep in step with ARCHITECTURE.md.
LAYERS: dict[str, int] = {
    "model": 0,
    "ltext": 0,
    "driftlint": 1,
    "reads": 1,
    "errors": 1,
    "values": 1,
    "progress": 1,
    "module_refs": 1,
    "discover": 1,
    "git": 1,
    "safe_re": 0,
    "suppress": 1,
    "parse": 2,
    "interfaces": 2,
    "argv": 2,
    "modulepath": 2,
    "config": 2,
    "resolve": 3,
    "sites": 3,
    "checks": 3,
    "cache": 3,
    "extract": 4,
    "fix": 4,
    "report": 4,
    "watch": 5,
    "mentions": 5,
    "unrendered": 5,
    "incremental": 5,
    "pipeline": 6,
    "engine": 7,
    "change": 8,
    "fleet": 8,
    "cli": 9,
    "__main__": 10,
}
CORE = {"model", "ltext"}


def part(module: str) -> str:
    """`driftlint.resolve.hiera` -> `resolve`; `driftlint` -> `driftlint`."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "driftlint"


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "driftlint":
                for alias in node.names:  # a submodule, or a name such as __version__
                    sub = PACKAGE / alias.name
                    is_module = sub.is_dir() or sub.with_suffix(".py").is_file()
                    found.add(f"driftlint.{alias.name}" if is_module else "driftlint")
            elif node.module.startswith("driftlint."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("driftlint")}
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def module_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def test_every_part_has_a_layer() -> None:
    assert {part(module_of(p)) for p in SOURCES} <= set(LAYERS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    own = part(module_of(path))
    wrong = []
    for target in sorted(imports(path)):
        other = part(target)
        if other == own or (own in CORE and other in CORE):
            continue
        if LAYERS[other] >= LAYERS[own]:
            wrong.append(f"{own} (layer {LAYERS[own]}) imports {target} (layer {LAYERS[other]})")
    assert not wrong, wrong


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from driftlint.cli import main\nimport driftlint.engine\n")
    assert imports(bad) == {"driftlint.cli", "driftlint.engine"}
