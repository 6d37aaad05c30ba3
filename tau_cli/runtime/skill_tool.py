"""The ``skill`` tool: the model loads a skill's instructions (level 2) or a resource
(level 3) when the task matches the skill's description in the system prompt."""

from __future__ import annotations

from pydantic import JsonValue

from tau_cli.core import ToolDefinition, ToolResult
from tau_cli.skills import SkillCatalog, skill_tool_definition, use_skill
from tau_cli.skills.skill import SkillResourceError
from tau_cli.tools import ToolContext


class SkillTool:
    read_only = True

    def __init__(self, catalog: SkillCatalog) -> None:
        self._catalog = catalog
        self._definition = skill_tool_definition(catalog)

    @property
    def name(self) -> str:
        return self._definition.name

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        name = arguments.get("name")
        resource = arguments.get("resource")
        try:
            text = use_skill(
                self._catalog,
                str(name),
                str(resource) if isinstance(resource, str) and resource else None,
            )
        except SkillResourceError as exc:
            return ToolResult.error(str(exc))
        return ToolResult(text=text)
