"""Which code may import which: read from the source, so a stray import fails here."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, with ``from a import b`` counted as ``a`` and ``a.b``
    (``b`` may be a module) and relative imports made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_search_never_imports_the_response_tracker():
    """The tracker builds on search and installs its hooks (blogapp/search/hooks.py);
    search asks through them, so it never imports blogapp.responses."""
    wrong = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imports_of(path) if within(m, "blogapp.responses")
        )
        for path in sorted((ROOT / "blogapp" / "search").rglob("*.py"))
    }
    assert {path: modules for path, modules in wrong.items() if modules} == {}


def test_no_test_module_imports_another():
    """Shared fixtures live in tests/fixtures/ and conftest.py, shared helpers in plain
    modules beside them: a test module is never imported, so each runs on its own."""
    test_modules = {f"tests.{path.stem}" for path in (ROOT / "tests").glob("test_*.py")}
    wrong = {
        str(path.relative_to(ROOT)): sorted(imports_of(path) & test_modules)
        for path in sorted((ROOT / "tests").rglob("*.py"))
    }
    assert {path: modules for path, modules in wrong.items() if modules} == {}


def test_webhooks_never_import_the_features_whose_events_they_send():
    """Comment and post events come from the webhooks' own listeners on the models, the
    tracker's from blogapp/responses/webhooks.py, timed ones from producers features add:
    blogapp/webhooks stays below every feature that makes events."""
    makers = ("blogapp.comments", "blogapp.studio", "blogapp.responses", "blogapp.blog")
    wrong = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imports_of(path) if any(within(m, maker) for maker in makers)
        )
        for path in sorted((ROOT / "blogapp" / "webhooks").rglob("*.py"))
    }
    assert {path: modules for path, modules in wrong.items() if modules} == {}
