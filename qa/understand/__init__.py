"""Question text (and what the chat said before) -> a frame.

read_question: cues of the question's language (qa/cues.json) set the operation, the
answer type and the slots; the glossary and the corpus give its cities and topic words;
dates give its period.  merge_followup: a follow-up takes what it leaves out from the
turn before it, by the rules written in the README ("Follow-ups").
"""
from .followup import Context, merge_followup
from .question import read_question
from .words import beyond_start, informative, known_keys

__all__ = ["Context", "merge_followup", "read_question", "beyond_start", "informative", "known_keys"]
