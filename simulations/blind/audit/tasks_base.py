"""Types shared by the persona builders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .emit import Request
from .shape import Profile

Gen = np.random.Generator
Ctx = dict[str, Any]
Builder = Callable[[Gen, Profile, int, float, Ctx], Request]


def user_fields(ctx: Ctx) -> dict[str, Any]:
    """The end user and session a group carries, as keyword arguments of ``build``."""
    return {"user": ctx.get("user"), "session": ctx.get("session")}
