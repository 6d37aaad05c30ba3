"""The ``skill`` tool: the model loads a skill's instructions (level 2) or a resource
(level 3) when the task matches the skill's description in the system prompt.

Loading the instructions activates the skill: ``on_load`` hears of it, so the
runtime can grant the skill's ``allowed-tools`` (see ``skill_grants``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import JsonValue

from tau_cli.core import ToolDefinition, ToolResult
from tau_cli.skills import Skill, SkillCatalog, skill_tool_definition, use_skill
from tau_cli.skills.skill import SkillResourceError
from tau_cli.tools import ToolContext


class SkillTool:
    read_only = True

    def __init__(
        self,
        catalog: SkillCatalog,
        on_load: Callable[[Skill], Awaitable[None]] | None = None,
    ) -> None:
        self._catalog = catalog
        self._on_load = on_load
        self._definition = skill_tool_definition(catalog)

    @property
    def name(self) -> str:
        return self._definition.name

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        name = str(arguments.get("name"))
        resource = arguments.get("resource")
        wanted = str(resource) if isinstance(resource, str) and resource else None
        try:
            text = use_skill(self._catalog, name, wanted)
        except SkillResourceError as exc:
            return ToolResult.error(str(exc))
        skill = self._catalog.get(name)
        if wanted is None and skill is not None and self._on_load is not None:
            await self._on_load(skill)
        return ToolResult(text=text)
