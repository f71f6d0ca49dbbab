"""The numbers GS-LoRA seed-0 summary must not move when the engine is
rebuilt. The run takes minutes, so the suite skips this test unless
``PINNED_NUMBERS_RUN`` names a finished run's work dir;
``make -f research.mk pin-numbers`` runs it and then this test."""
import json
import os
import os.path as osp

import pytest

from pinned_summaries import check_pinned

RUN = os.environ.get('PINNED_NUMBERS_RUN')


@pytest.mark.skipif(not RUN, reason='set PINNED_NUMBERS_RUN=<work dir of '
                    'configs/gs_lora/gs-lora_vit-6b_numbers_continual.py> '
                    '(make -f research.mk pin-numbers)')
def test_numbers_gs_lora_seed0_summary_is_pinned():
    with open(osp.join(RUN, 'forgetting_summary.json')) as f:
        summary = json.load(f)
    assert len(summary['tasks']) == 4
    check_pinned('numbers_gs_lora', summary)
