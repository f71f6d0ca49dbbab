# RMU on the handwritten numbers (4 x 20): block 4's output tokens (of
# blocks 0-5) steered to c u on the forget images and held at the task's
# starting model on the retain images; the FFNs of blocks 2-4 train. The
# released values (c 6.5, alpha 1200, AdamW lr 5e-5), not yet tuned on the
# validation split.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=5e-5))
train_cfg = dict(
    method=dict(
        type='mmforget.RMU', layer=4, trained_layers=[2, 3, 4],
        trained_modules=['ffn'], steering_coeff=6.5, retain_weight=1200.0))
# Only three FFNs train, so a distributed run must not expect gradients for
# everything DDP wrapped (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
