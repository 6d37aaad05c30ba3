"""The permission gate between the registry, the policy and the person deciding."""

from __future__ import annotations

from pathlib import Path

from tau_cli.core import (
    ElicitationRequest,
    ElicitationResponse,
    PermissionChoice,
    PermissionDecision,
    PermissionRequest,
    PlanApprovalRequest,
    PlanDecision,
    QuestionAnswer,
    QuestionRequest,
    ToolCall,
)
from tau_cli.tools import (
    PermissionGate,
    PermissionMode,
    PermissionPolicy,
    ToolContext,
    ToolRegistry,
)
from tau_cli.tools.builtin import builtin_tools


class ScriptedUser:
    """Answers permission requests from a script and remembers what it was asked."""

    def __init__(self, *answers: PermissionDecision) -> None:
        self.answers = list(answers)
        self.asked: list[PermissionRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionDecision:
        self.asked.append(request)
        return self.answers.pop(0)

    async def approve_plan(self, request: PlanApprovalRequest) -> PlanDecision:
        return PlanDecision(approved=False)

    async def ask(self, request: QuestionRequest) -> QuestionAnswer:
        return QuestionAnswer(cancelled=True)

    async def elicit(self, request: ElicitationRequest) -> ElicitationResponse:
        return ElicitationResponse(action="cancel")


def bash(command: str, call_id: str = "c1") -> ToolCall:
    return ToolCall(id=call_id, name="bash", arguments={"command": command})


async def test_allowed_calls_run_without_asking(context: ToolContext) -> None:
    user = ScriptedUser()
    policy = PermissionPolicy(context.environment, allow=["Bash(echo:*)"])
    gate = PermissionGate(policy, user, context)
    (result,) = await ToolRegistry(builtin_tools()).run_all([bash("echo hi")], context, gate=gate)
    assert result.text == "hi\n"
    assert user.asked == []


async def test_a_denied_call_never_runs_and_the_model_is_told_why(
    context: ToolContext, workdir: Path
) -> None:
    policy = PermissionPolicy(context.environment, deny=["bash(touch:*)"], mode="bypass")
    gate = PermissionGate(policy, ScriptedUser(), context)
    (result,) = await ToolRegistry(builtin_tools()).run_all(
        [bash("echo ok; touch made.txt")], context, gate=gate
    )
    assert result.is_error
    assert result.text == "Permission denied: denied by rule bash(touch:*)."
    assert not (workdir / "made.txt").exists()


async def test_the_user_is_asked_with_the_command_reason_and_suggested_rule(
    context: ToolContext, workdir: Path
) -> None:
    user = ScriptedUser(PermissionDecision(choice=PermissionChoice.ALLOW_ONCE))
    gate = PermissionGate(PermissionPolicy(context.environment), user, context)
    (result,) = await ToolRegistry(builtin_tools()).run_all(
        [bash("touch made.txt")], context, gate=gate
    )
    assert not result.is_error
    assert (workdir / "made.txt").exists()
    (request,) = user.asked
    assert request.summary == "Run: touch made.txt"
    assert request.reason == "no rule allows 'touch made.txt'"
    assert request.suggested_rule == "bash(touch:*)"


async def test_a_session_answer_stops_further_questions_and_always_saves_the_rule(
    context: ToolContext,
) -> None:
    saved: list[str] = []

    async def save(rule: str) -> None:
        saved.append(rule)

    user = ScriptedUser(
        PermissionDecision(choice=PermissionChoice.ALLOW_SESSION),
        PermissionDecision(choice=PermissionChoice.ALLOW_ALWAYS, rule="bash(date)"),
    )
    policy = PermissionPolicy(context.environment)
    gate = PermissionGate(policy, user, context, on_save=save)
    registry = ToolRegistry(builtin_tools())
    calls = [bash("uname -s", "1"), bash("uname -r", "2"), bash("date", "3"), bash("date", "4")]
    results = await registry.run_all(calls, context, gate=gate)
    assert [r.is_error for r in results] == [False, False, False, False]
    assert len(user.asked) == 2
    assert saved == ["bash(date)"]
    assert "bash(uname:*)" in policy.rules["allow"]


async def test_a_refusal_carries_the_users_feedback_to_the_model(context: ToolContext) -> None:
    user = ScriptedUser(
        PermissionDecision(choice=PermissionChoice.DENY, feedback="use the make target")
    )
    gate = PermissionGate(PermissionPolicy(context.environment), user, context)
    (result,) = await ToolRegistry(builtin_tools()).run_all([bash("rm -rf x")], context, gate=gate)
    assert result.is_error
    assert "They said: use the make target" in result.text


async def test_an_edit_is_shown_as_a_diff_before_it_is_approved(
    context: ToolContext, workdir: Path
) -> None:
    target = workdir / "a.txt"
    target.write_text("hello\n")
    registry = ToolRegistry(builtin_tools())
    read = ToolCall(id="r", name="read", arguments={"file_path": str(target)})
    edit = ToolCall(
        id="e",
        name="edit",
        arguments={"file_path": str(target), "old_string": "hello", "new_string": "bye"},
    )
    user = ScriptedUser(PermissionDecision(choice=PermissionChoice.ALLOW_ONCE))
    gate = PermissionGate(PermissionPolicy(context.environment), user, context)
    results = await registry.run_all([read, edit], context, gate=gate)
    assert [r.is_error for r in results] == [False, False]
    (request,) = user.asked  # the read inside the workspace needed no question
    assert request.diff is not None and "-hello\n+bye" in request.diff
    assert request.locations == [str(target)]
    assert target.read_text() == "bye\n"


def test_plan_mode_offers_the_model_only_tools_that_change_nothing(
    context: ToolContext,
) -> None:
    policy = PermissionPolicy(context.environment, mode="plan", deny=["WebFetch"])
    registry = ToolRegistry(builtin_tools())
    offered = registry.definitions(lambda tool: policy.offers(tool.name, tool.read_only))
    assert [d.name for d in offered] == ["read", "glob", "grep", "todo"]
    policy.mode = PermissionMode.DEFAULT
    everything = registry.definitions(lambda tool: policy.offers(tool.name, tool.read_only))
    assert "bash" in [d.name for d in everything]
    assert "web_fetch" not in [d.name for d in everything]  # denied outright
