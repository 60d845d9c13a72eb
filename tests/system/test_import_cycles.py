"""The domains of `storefront/` import each other without cycles (imports inside functions included).

A domain is a package of `storefront/` (catalog, checkout, orders, payments, …) or a module at its top
(mail, money, i18n, …). The composition roots (`storefront/__init__.py`, `cli.py`, `devserver.py`)
import every domain by design and are left out.
"""
import ast
from pathlib import Path

import storefront

ROOT = Path(storefront.__file__).parent
COMPOSITION_ROOTS = {"__init__", "cli", "devserver"}


def _domain_of(parts):
    """'storefront.orders.lifecycle' -> 'orders'; None outside storefront or for a composition root."""
    if len(parts) < 2 or parts[0] != "storefront" or parts[1] in COMPOSITION_ROOTS:
        return None
    return parts[1]


def import_graph(root=ROOT) -> dict:
    """{domain: {imported domain: [file:line, …]}} from every import statement, at any depth."""
    graph = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).with_suffix("").parts
        source = _domain_of(("storefront",) + relative)
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                target = _domain_of(name.split("."))
                if target and target != source:
                    graph.setdefault(source, {}).setdefault(target, []).append(
                        f"{path.relative_to(root.parent)}:{node.lineno}")
    return graph


def find_cycle(graph):
    """One cycle as a list of domains [a, b, …, a], or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for target in sorted(graph.get(node, {})):
            if state.get(target) == "open":
                return trail[trail.index(target):] + [target] if target in trail else [node, target]
            if target not in state:
                found = visit(target, trail + [target])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_no_import_cycle_between_domains():
    graph = import_graph()
    cycle = find_cycle(graph)
    if cycle:
        where = [f"{a} -> {b}: {', '.join(graph[a][b][:3])}" for a, b in zip(cycle, cycle[1:])]
        raise AssertionError("import cycle between domains:\n" + "\n".join(where))


def test_the_checker_sees_a_cycle_hidden_inside_a_function(tmp_path):
    package = tmp_path / "storefront"
    for name, text in {"orders/__init__.py": "", "payments/__init__.py": "",
                       "orders/lifecycle.py": "def pay():\n    from storefront.payments import client\n",
                       "payments/client.py": "from storefront.orders import lifecycle\n"}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    assert find_cycle(import_graph(package)) in (["orders", "payments", "orders"],
                                                 ["payments", "orders", "payments"])


def test_the_lifecycle_sits_below_the_doors_that_use_it():
    graph = import_graph()
    assert "payments" not in graph.get("orders", {}) and "checkout" not in graph.get("orders", {})
    assert "orders" in graph["payments"] and "orders" in graph["checkout"]
