"""tau's full-screen terminal interface, built on Textual.

Presentation only: it drives a runtime through the ``RuntimeClient`` interface and
answers the runtime's questions through core's ``Interaction``. Textual is imported
only in this package.
"""

from tau_cli.tui.app import MODE_CYCLE, Started, TauApp
from tau_cli.tui.blocks import BlockSplitter
from tau_cli.tui.completion import Completer, CompletionMenu
from tau_cli.tui.conversation import Conversation
from tau_cli.tui.history import Entry, HistoryView
from tau_cli.tui.input_bar import InputBar
from tau_cli.tui.interaction import TuiInteraction
from tau_cli.tui.markdown_stream import MarkdownStream
from tau_cli.tui.pickers import SessionPicker
from tau_cli.tui.prompt_input import PromptInput
from tau_cli.tui.prompts import PermissionPrompt, PlanPrompt, Prompt, QuestionPrompt

__all__ = [
    "MODE_CYCLE",
    "BlockSplitter",
    "Completer",
    "CompletionMenu",
    "Conversation",
    "Entry",
    "HistoryView",
    "InputBar",
    "MarkdownStream",
    "PermissionPrompt",
    "PlanPrompt",
    "Prompt",
    "PromptInput",
    "QuestionPrompt",
    "SessionPicker",
    "Started",
    "TauApp",
    "TuiInteraction",
]
