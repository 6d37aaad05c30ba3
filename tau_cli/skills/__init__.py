"""Skills: folders of instructions and files an agent loads only when a task needs them.

A skill is a folder with a ``SKILL.md`` (Anthropic's Agent Skills format: YAML
frontmatter with ``name`` and ``description``, then markdown instructions) and any
resources beside it. Three levels keep many installed skills cheap: every skill's
name and description sit in the system prompt; the instructions load when a skill
is triggered; resources are read one at a time on demand.
"""

from tau_cli.core import SkillActivated
from tau_cli.skills.activation import (
    SKILL_TOOL_NAME,
    ActivationReason,
    activate,
    render_instructions,
    skill_tool_definition,
    use_skill,
)
from tau_cli.skills.discovery import (
    SHIPPED_SKILLS_DIR,
    SkillCatalog,
    SkillDiagnostic,
    SkillRoot,
    check_skills,
    default_roots,
    discover_skills,
)
from tau_cli.skills.matcher import MatchReason, SkillMatch, SkillMatcher
from tau_cli.skills.skill import (
    MAX_DESCRIPTION,
    MAX_INSTRUCTION_CHARS,
    MAX_NAME,
    SKILL_FILE,
    Instructions,
    Skill,
    SkillResourceError,
    parse_skill,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_INSTRUCTION_CHARS",
    "MAX_NAME",
    "SHIPPED_SKILLS_DIR",
    "SKILL_FILE",
    "SKILL_TOOL_NAME",
    "ActivationReason",
    "Instructions",
    "MatchReason",
    "Skill",
    "SkillActivated",
    "SkillCatalog",
    "SkillDiagnostic",
    "SkillMatch",
    "SkillMatcher",
    "SkillResourceError",
    "SkillRoot",
    "activate",
    "check_skills",
    "default_roots",
    "discover_skills",
    "parse_skill",
    "render_instructions",
    "skill_tool_definition",
    "use_skill",
]
