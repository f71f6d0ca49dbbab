# GS-LoRA, faces, single step: forget 5 of 100 identities at once. Papers'
# full-data single-step run: BND 110, beta 0.05, alpha 0 for 20 epochs then
# 0.01, 100 epochs, lr 1e-2, data_ratio 0.1.
_base_ = './gs-lora_face-transformer_casia100_continual.py'

train_dataloader = dict(
    dataset=dict(schedule=dict(
        num_tasks=1, first_num_classes=95, forget_per_task=5)))
optim_wrapper = dict(warmup_epochs=20, alpha_after_warmup=0.01)
train_cfg = dict(method=dict(forget_loss=dict(bound=110.0, loss_weight=0.05)))
