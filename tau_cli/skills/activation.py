"""Putting a triggered skill into a request, and telling the UI it happened.

However a skill is triggered (``/skill-name``, the matcher, or the model calling the
``skill`` tool), the same text reaches the model: the skill's instructions and the
names of its resources, which the model reads on demand with the same tool.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Literal

from pydantic import JsonValue

from tau_cli.core import SkillActivated, ToolDefinition
from tau_cli.skills.discovery import SkillCatalog
from tau_cli.skills.skill import Instructions, Skill, SkillResourceError

SKILL_TOOL_NAME = "skill"

ActivationReason = Literal["command", "matcher", "tool"]


def render_instructions(skill: Skill) -> str:
    """Level 2 as the model reads it: the body, then the resources it may ask for."""
    return _render(skill, skill.instructions())


def _render(skill: Skill, instructions: Instructions) -> str:
    resources = skill.resources()
    lines = [
        f'<skill-instructions name="{skill.name}" folder="{html.escape(str(skill.folder))}">',
        instructions.text,
    ]
    if resources:
        lines += [
            "",
            f"Resources of this skill (read one with the {SKILL_TOOL_NAME} tool's "
            "'resource' argument):",
            *(f"- {name}" for name in resources),
        ]
    lines.append("</skill-instructions>")
    return "\n".join(lines)


def activate(
    skill: Skill, reason: ActivationReason, count_tokens: Callable[[str], int]
) -> tuple[str, SkillActivated]:
    """Level 2 for one skill: the text for the next request and the event announcing it."""
    instructions = skill.instructions()
    text = _render(skill, instructions)
    event = SkillActivated(
        name=skill.name,
        reason=reason,
        tokens=count_tokens(text),
        truncated=instructions.truncated,
    )
    return text, event


def skill_tool_definition(catalog: SkillCatalog) -> ToolDefinition:
    """The ``skill`` tool: load a skill's instructions, or one of its resources."""
    names: list[JsonValue] = list(sorted(catalog.skills))
    return ToolDefinition(
        name=SKILL_TOOL_NAME,
        description=(
            "Load the instructions of one of the available skills when the task matches "
            "its description, or read one resource file of a skill whose instructions "
            "you already loaded."
        ),
        parameters={
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": names, "description": "The skill's name."},
                "resource": {
                    "type": "string",
                    "description": "A resource path relative to the skill's folder, as "
                    "listed in its instructions. Leave out to load the instructions.",
                },
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    )


def use_skill(catalog: SkillCatalog, name: str, resource: str | None = None) -> str:
    """What the ``skill`` tool returns: instructions, or the text of one resource.

    Raises:
        SkillResourceError: the skill is unknown or the resource cannot be served;
            the runtime turns it into an error tool result the model can read.
    """
    skill = catalog.get(name)
    if skill is None:
        known = ", ".join(sorted(catalog.skills)) or "none are installed"
        raise SkillResourceError(f"there is no skill {name!r}; available: {known}")
    if resource is None:
        return render_instructions(skill)
    return skill.read_resource(resource)
