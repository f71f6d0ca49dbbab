# GS-LoRA on the 6-block numbers ViT, the papers' continual protocol: 4 tasks
# x 20 of the 100 handwritten numbers (100-20, 80-20, 60-20, 40-20), class
# order from Python's shuffle with seed 1337. Full data: data_ratio 0.25 of
# each split per task, i.e. 500 forget and 2000 retain images in the first
# task. data_ratio, BND and beta were chosen on the validation split (README:
# "Handwritten numbers"). `make demo-numbers` runs it.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=16.0, loss_weight=0.2)))
