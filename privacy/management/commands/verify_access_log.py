"""Check the access log's hash chain against its anchors; exit non-zero naming what is wrong.

It lives in privacy, not audit: after a prune the anchor must be older than the access log's
retention period, which privacy keeps (audit, a lower layer, does not import privacy)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.verify import access_log_verify


class Command(BaseCommand):
    help = (
        "Verify the access log's hash chain and its anchors (PRZYSTAN_ANCHOR_FILE): name the "
        "first broken entry, a cut tail, and every anchor line that is not valid."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            action="append",
            metavar="FILE",
            help="an anchor file or a syslog extract of anchors (repeatable; "
            "default PRZYSTAN_ANCHOR_FILE)",
        )

    def handle(self, *args, anchors=None, **options):
        paths = [Path(name) for name in anchors] if anchors else [settings.PRZYSTAN_ANCHOR_FILE]
        # A file named on the command line must exist; the default may not exist yet.
        if anchors and (missing := [str(p) for p in paths if not p.exists()]):
            raise CommandError(f"No anchor file at {', '.join(missing)}.")
        # After a prune, its anchor must be older than the access log's retention period.
        from privacy.retention import access_log_retained_since

        retained_since = access_log_retained_since(timezone.localdate())
        result = access_log_verify(anchor_files=paths, retained_since=retained_since)
        problems = [f"Access log {result.broken}"] if result.broken else []
        problems += [f"Anchor file {bad}" for bad in result.bad_anchors]
        if problems:
            raise CommandError("\n".join(problems))
        anchors_said = _anchors(result, paths)
        chains = len(result.chains)
        intact = "chain intact" if chains == 1 else f"{chains} chains, each intact"
        self.stdout.write(
            f"OK: {result.entries} entries, {intact}; {anchors_said}{_pruned(result)}"
        )


def _pruned(result) -> str:
    said = []
    for chain in result.chains:
        if not chain.pruned_through:
            continue
        of_chain = f"chain {chain.chain} " if len(result.chains) > 1 else ""
        said.append(
            f"; {of_chain}pruned up to seq {chain.pruned_through} behind the signed anchor of "
            f"{chain.pruned_behind.at}, verified from seq {chain.pruned_through + 1}"
        )
    return "".join(said)


def _anchors(result, paths) -> str:
    if result.latest_anchor is None:
        where = ", ".join(str(p) for p in paths)
        return (
            f"no anchors in {where}: a cut tail would go unseen "
            "(run manage.py anchor_access_log from a timer)"
        )
    latest = result.latest_anchor
    agree = "1 anchor agrees" if result.anchors == 1 else f"{result.anchors} anchors agree"
    return f"{agree} (the latest: seq {latest.seq} at {latest.at})"
