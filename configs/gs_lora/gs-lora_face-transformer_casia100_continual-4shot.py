# GS-LoRA, faces, continual 4 x 20 with 4 images per identity (forget and
# retain): batch 4, the papers' few-shot beta list.
_base_ = './gs-lora_face-transformer_casia100_continual.py'

train_dataloader = dict(
    batch_size=4, dataset=dict(data_ratio=1.0, few_shot=4))
train_cfg = dict(
    method=dict(forget_loss=dict(loss_weight=[0.3, 0.4, 0.28, 0.2])))
