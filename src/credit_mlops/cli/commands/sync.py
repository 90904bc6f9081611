"""`credit sync`: upload the outbox."""

from __future__ import annotations

from credit_mlops.cli.options import Json, MlflowUri, Profile


def sync(
    profile: Profile = None,
    mlflow_uri: MlflowUri = None,
    json_out: Json = False,
) -> None:
    """Upload the runs kept while the tracking server was away.

    Idempotent: running it twice creates nothing twice. Also ends, as FAILED, the runs that
    a `credit` process of this machine left RUNNING and that process is gone (killed, or
    stopped by a full disk). One sync at a time uploads an outbox: another started meanwhile
    says so and exits 0 without touching the store.
    """
    from dataclasses import asdict

    from credit_mlops.cli.options import uri_settings
    from credit_mlops.cli.render import console, misc
    from credit_mlops.errors import error_for_exit_code
    from credit_mlops.tracking.open import open_tracker
    from credit_mlops.train.outbox import entries, outbox_dir
    from credit_mlops.train.sync import OutboxBusy, outbox_lock
    from credit_mlops.train.sync import sync as run_sync

    settings = uri_settings(profile, mlflow_uri)
    outbox = outbox_dir(settings)
    trust = settings.tracking.trust_models_that_run_code
    try:
        with outbox_lock(outbox):  # taken before the store is opened
            empty = not entries(outbox)
            # also with an empty outbox: runs left RUNNING by a gone process are ended
            results = run_sync(open_tracker(settings), outbox, trust_code=trust)
    except OutboxBusy as busy:  # nothing went wrong and nothing is lost: exit 0
        console.note(str(busy))
        if json_out:
            console.emit_json([])
        return
    if json_out:
        console.emit_json([asdict(r) for r in results])
    else:
        misc.sync_results(results)
        if empty:
            console.note(f"nothing to sync: {outbox} is empty")
    failed = [r for r in results if r.status == "failed"]
    if failed:
        # The class of the first failure's exit code: 3 when the server is still away.
        raise error_for_exit_code(failed[0].exit_code)(
            f"{len(failed)} of {len(results)} outbox entries could not be synced "
            f"({failed[0].error}); they stay in {outbox} for the next try"
        )
