"""No import cycles: the board's modules import one way (``warroom.tui`` has none at all),
and anywhere else in ``warroom/`` a new cycle fails here. Lazy imports (inside a function)
and type-only ones (``if TYPE_CHECKING``) count: a cycle dodged at run time is still two
modules that cannot be understood, tested or moved apart."""

from __future__ import annotations

import grimp
import pytest


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """The cycles of a module graph: its strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = set()
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.add(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("warroom", cache_dir=None)
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def within(edges: dict[str, set[str]], prefix: str) -> dict[str, set[str]]:
    return {m: {o for o in found if o.startswith(prefix)} for m, found in edges.items() if m.startswith(prefix)}


def test_the_board_has_no_import_cycle(imports):
    assert strongly_connected(within(imports, "warroom.tui")) == []


def test_no_import_cycle_anywhere_in_warroom(imports):
    assert [sorted(cycle) for cycle in strongly_connected(within(imports, "warroom"))] == []


def test_a_cycle_is_found_lazy_or_not():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
