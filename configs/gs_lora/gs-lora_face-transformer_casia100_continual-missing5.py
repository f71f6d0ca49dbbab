# GS-LoRA, faces, continual 4 x 20 where 5 remaining identities (the first of
# the class order) have no training data; Acc_m is their accuracy. Papers:
# sparsity warm-up 30 epochs then alpha 0.015, beta 0.14/0.14/0.2/0.15.
_base_ = './gs-lora_face-transformer_casia100_continual.py'

train_dataloader = dict(dataset=dict(schedule=dict(num_missing_classes=5)))
optim_wrapper = dict(warmup_epochs=30, alpha_after_warmup=0.015)
train_cfg = dict(
    method=dict(forget_loss=dict(loss_weight=[0.14, 0.14, 0.2, 0.15])))
