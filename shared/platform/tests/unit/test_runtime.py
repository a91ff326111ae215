"""Every service process collects garbage every `gc_threshold` allocations and freezes what startup built."""

from __future__ import annotations

import gc

from lianrong_platform.runtime import tune_gc
from lianrong_platform.settings import ServiceSettings


def test_the_collector_is_tuned_as_the_settings_say_and_startup_objects_are_frozen() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        tune_gc(ServiceSettings.model_fields["gc_threshold"].default)
        assert gc.get_threshold()[0] == 50_000
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen
        tune_gc(0)  # 0 leaves the collector as it is
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
