from django.core.management.base import BaseCommand, CommandError

from weibao.audit import services as audit
from weibao.core import data_key_rotation as rotation
from weibao.core.encrypted_fields import UnreadablePersonalData, current_key


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted personal value under WEIBAO_DATA_KEY and recompute its "
        "search hashes, in batches (run after moving the previous key to WEIBAO_DATA_KEYS_OLD). "
        "Resumable: run it again after an interruption. Audited as counts, never values."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        key_id = current_key().key_id
        self.stdout.write(f"Current data key id: {key_id}")
        for model in rotation.models_with_personal_data():
            self.stdout.write(f"{model._meta.label_lower}: {rotation.stale_count(model)} row(s) to rewrite")

        def progress(step: rotation.Progress) -> None:
            self.stdout.write(f"{step.model}: {step.rewritten} rewritten, {step.remaining} to go")

        try:
            counts = rotation.rotate_all(batch_size=batch_size, progress=progress)
        except UnreadablePersonalData as exc:
            raise CommandError(
                f"{exc}. Add the key it was written under to WEIBAO_DATA_KEYS_OLD and run again; "
                "rows rewritten so far stay rewritten."
            ) from exc
        audit.record("personal_data.key_rotated", object_type="core.data_key", object_id=key_id,
                     object_repr=key_id, detail={"key_id": key_id, "rows": counts})
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Done: {total} row(s) rewritten under key {key_id}."))
