# O3's gated suppression on the numbers 4 x 20, beside GS-LoRA, against the
# converged Retrain and Head reset, with the depth checks at the last task
# (80 numbers forgotten, four request detectors) and the gate's openings
# (`GateOpening`: the share of forgotten and of kept test images the gate
# opens on). O3 gets the same 4-point budget on val (seed 0, first task):
# the adapter's learning rate, and the blocks its detectors read (every
# block, as O3 reads every layer, or the last one).
# `make -f research.mk o3-numbers`.
_base_ = ['./vit-6b_numbers_depth.py']
rows = ('Retrain (converged)', 'Head reset', 'GS-LoRA', 'O3')
LR = 'optim_wrapper.optimizer.lr'
BLOCKS = 'train_cfg.method.detector_blocks'
methods = _base_.methods + [
    dict(name='O3', config='configs/o3/o3_vit-6b_numbers_continual.py',
         grid={LR: [1e-3, 1e-2], BLOCKS: [None, [5]]}),
]
# The gate's openings join the checks. The other rows' kept results stay
# valid (a model without a gate has no openings), so no `checks_name`.
checks = _base_.checks + [dict(type='mmforget.GateOpening')]
