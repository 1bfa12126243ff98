"""peersnap's engine: a deterministic simulation of IBM Storage Scale AFM peer snapshots.

Pure Python, no UI: the dashboard, the headless runner and the tests are its clients.
"""

from .engine import Engine
from .scenario import Scenario, ScenarioError, load

__all__ = ["Engine", "Scenario", "ScenarioError", "load"]
