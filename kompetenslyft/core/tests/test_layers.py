"""Tasks call services, never the other way round: no module but a tasks module (or a view,
which may start a task for its request) imports one, anywhere in the file, inside functions
too; services put work on the queue by name through ``core/queue.py``. So the dependency runs
one way (issue 9, "Code shape")."""

import ast
from pathlib import Path

import kompetenslyft

ROOT = Path(kompetenslyft.__file__).parent


def _is_tasks(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("tasks") and module != "django_tasks"


def _imported(tree: ast.AST, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_services_and_the_rest_import_no_tasks_module() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        if "bench" in relative.parts:  # the bench times tasks themselves, as a worker runs them
            continue
        if path.stem.endswith(("tasks", "views")):
            continue
        module = ".".join(relative.with_suffix("").parts)
        package = module.rsplit(".", 1)[0]
        tasks = sorted(name for name in _imported(ast.parse(path.read_text()), package) if _is_tasks(name))
        if tasks:
            offenders.append(f"{relative}: {', '.join(tasks)}")
    assert offenders == []


def test_the_check_sees_an_import_inside_a_function() -> None:
    tree = ast.parse("def f():\n    from .tasks import survey_send_task\n")
    assert "kompetenslyft.evaluation.tasks" in _imported(tree, "kompetenslyft.evaluation")
