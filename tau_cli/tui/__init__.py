"""tau's full-screen terminal interface, built on Textual.

Presentation only: it drives a runtime through the ``RuntimeClient`` interface and
answers the runtime's questions through core's ``Interaction``. Textual is imported
only in this package.
"""

from tau_cli.tui.app import MODE_CYCLE, TauApp
from tau_cli.tui.blocks import BlockSplitter
from tau_cli.tui.conversation import Conversation
from tau_cli.tui.history import Entry, HistoryView
from tau_cli.tui.interaction import TuiInteraction
from tau_cli.tui.markdown_stream import MarkdownStream
from tau_cli.tui.prompts import PermissionPrompt, PlanPrompt, Prompt, QuestionPrompt

__all__ = [
    "MODE_CYCLE",
    "BlockSplitter",
    "Conversation",
    "Entry",
    "HistoryView",
    "MarkdownStream",
    "PermissionPrompt",
    "PlanPrompt",
    "Prompt",
    "QuestionPrompt",
    "TauApp",
    "TuiInteraction",
]
