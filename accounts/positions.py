"""What comes with a position (an organisation and a role), and what goes when it ends.

A position ends when a user's organisation or role changes, and when the account is deactivated.
Object permissions granted for the old position (the facilities one worked in, the teams one
was in, emergency accesses, later the programmes one ran) must go with it: otherwise a worker
moved to another organisation keeps opening the old one's bed board.

accounts imports no domain app, so each app registers here, from its AppConfig.ready(), two
questions about a user (either may be left out):
- `holdings(user) -> list[str]`: what the user still holds that must be handed over before the
  position may change (one translated sentence each, no names: "3 files are still assigned...");
  a change of role or organisation is refused while anything is held. A deactivation hands it
  over (below) to the successor the manager chooses, and is refused without one.
- `hand_over(user, *, to, team, by, request) -> int`: give what `user` holds to the active
  worker `to` (and the team's auth group `team`, or None), with history and access-log rows, and
  say how many moved. Called inside the transaction of a deactivation, so a deactivated account
  leaves nothing without an active holder.
- `revoke(user) -> int`: remove every grant of the app that came with the position, and say
  how many went. Called inside the transaction of the change, before the new role is set.
  Nothing is given back later: a reactivated account starts with no grants.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PositionHooks:
    name: str
    holdings: Callable[..., list[str]] | None = None
    revoke: Callable[..., int] | None = None
    hand_over: Callable[..., int] | None = None


_REGISTRY: dict[str, PositionHooks] = {}


def register(
    name: str,
    *,
    holdings: Callable[..., list[str]] | None = None,
    revoke: Callable[..., int] | None = None,
    hand_over: Callable[..., int] | None = None,
) -> PositionHooks:
    """Register an app's hooks under `name` (its label); registering the name again replaces."""
    hooks = PositionHooks(name=name, holdings=holdings, revoke=revoke, hand_over=hand_over)
    _REGISTRY[name] = hooks
    return hooks


def registered() -> list[PositionHooks]:
    """The registered hooks, in the order of their names (so revocations run in a fixed order)."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def holdings(user) -> list[str]:
    """What `user` still holds that must be handed over first, one sentence per kind."""
    held: list[str] = []
    for hooks in registered():
        if hooks.holdings is not None:
            held.extend(hooks.holdings(user))
    return held


def revoke(user) -> dict[str, int]:
    """Revoke what came with `user`'s position in every app: {name: how many grants went}.

    Only the apps that took something away are in the answer.
    """
    revoked: dict[str, int] = {}
    for hooks in registered():
        if hooks.revoke is None:
            continue
        count = hooks.revoke(user)
        if count:
            revoked[hooks.name] = count
    return revoked


def hand_over(user, *, to, team, by, request=None) -> dict[str, int]:
    """Hand what `user` holds in every app to `to` (and `team`): {name: how many moved}."""
    moved: dict[str, int] = {}
    for hooks in registered():
        if hooks.hand_over is None:
            continue
        count = hooks.hand_over(user, to=to, team=team, by=by, request=request)
        if count:
            moved[hooks.name] = count
    return moved
