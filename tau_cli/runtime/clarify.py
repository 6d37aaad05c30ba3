"""The ``ask_user`` tool: the model asks for missing, unclear or contradictory detail.

The loop pauses on the question until the person answers through ``Interaction``.
With nobody to ask (scripts, CI), the model is told to proceed on stated
assumptions instead of waiting.
"""

from __future__ import annotations

from pydantic import Field, JsonValue

from tau_cli.core import Interaction, QuestionOption, QuestionRequest, ToolDefinition, ToolResult
from tau_cli.tools import ToolContext
from tau_cli.tools.builtin import Arguments


class _Option(Arguments):
    label: str = Field(description="Short answer the user can pick, e.g. 'PostgreSQL'.")
    description: str = Field(default="", description="One line on what choosing it means.")


class _AskArguments(Arguments):
    question: str = Field(description="One clear question, ending with a question mark.")
    options: list[_Option] = Field(
        default_factory=list,
        description="Up to 6 answers to choose from; leave empty for a free-text answer.",
        max_length=6,
    )
    multi_select: bool = Field(default=False, description="Whether several options may be chosen.")


_DESCRIPTION = """\
Ask the user a question and wait for the answer. Use it when the task is missing detail you \
cannot find in the code, is unclear, or contradicts itself — before doing work that depends \
on the answer. Do not use it for permission to run tools (that is asked automatically) or to \
confirm routine steps.

Example: {"question": "Which database should the cache use?", "options": [{"label": "Redis"}, \
{"label": "SQLite", "description": "no extra service"}]}

The answer comes back as text. If no user is available, you are told so: then proceed with \
the most reasonable assumption and state it in your final answer."""


class AskUserTool:
    name = "ask_user"
    read_only = True

    def __init__(self, interaction: Interaction) -> None:
        self._interaction = interaction
        self._definition = ToolDefinition.from_model(self.name, _DESCRIPTION, _AskArguments)

    @property
    def definition(self) -> ToolDefinition:
        return self._definition

    async def execute(self, arguments: dict[str, JsonValue], context: ToolContext) -> ToolResult:
        args = _AskArguments.model_validate(arguments)
        answer = await self._interaction.ask(
            QuestionRequest(
                question=args.question,
                options=[
                    QuestionOption(label=o.label, description=o.description) for o in args.options
                ],
                multi_select=args.multi_select,
            )
        )
        if answer.cancelled and not answer.text:
            return ToolResult(text="The user did not answer. Proceed with stated assumptions.")
        parts = []
        if answer.selected:
            parts.append("The user chose: " + ", ".join(answer.selected))
        if answer.text:
            parts.append(answer.text if answer.cancelled else f"The user answered: {answer.text}")
        return ToolResult(text="\n".join(parts))
