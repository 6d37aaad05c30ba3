"""A workflow's shape as a Mermaid flowchart.

Mermaid reads a bare lowercase ``end`` as a keyword and breaks the chart, so node
ids are numbered (``n0``, ``n1``...) or capitalised (``START``, ``END``) and every
label is quoted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tau_cli.orchestrate._graph import END, START, Branch, Join


def render_mermaid(
    nodes: Sequence[str],
    targets: Mapping[str, Sequence[str]],
    joins: Sequence[Join],
    branches: Mapping[str, Sequence[Branch]],
) -> str:
    """The flowchart text, one statement per line, ending in a newline."""
    ids = {START: "START", END: "END"}
    ids.update({name: f"n{index}" for index, name in enumerate(nodes)})
    lines = ["flowchart TD", '    START(["start"])', '    END(["end"])']
    lines += [f'    {ids[name]}["{_label(name)}"]' for name in nodes]
    for source, ends in targets.items():
        lines += [f"    {ids[source]} --> {ids[target]}" for target in ends]
    for join in joins:
        sources = " & ".join(ids[name] for name in join.sources)
        lines.append(f"    {sources} --> {ids[join.target]}")
    for source, choices in branches.items():
        for branch in choices:
            if branch.destinations is None:
                lines.append(f"    %% {_label(source)}: the router names the next node")
                continue
            for key, target in branch.destinations.items():
                lines.append(f'    {ids[source]} -.->|"{_label(key)}"| {ids[target]}')
    return "\n".join(lines) + "\n"


def _label(text: str) -> str:
    return text.replace('"', "#quot;")
