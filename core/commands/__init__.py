"""The command language that the console, scripts and tests share."""

from __future__ import annotations

from . import afm_cmds, explain_cmds, file_cmds, sim_cmds, snapshot_cmds
from .base import Command, Context, Result, UsageError

REGISTRY: dict[str, Command] = {
    command.name: command
    for module in (snapshot_cmds, afm_cmds, file_cmds, sim_cmds, explain_cmds)
    for command in module.COMMANDS
}

__all__ = ["REGISTRY", "Command", "Context", "Result", "UsageError"]
