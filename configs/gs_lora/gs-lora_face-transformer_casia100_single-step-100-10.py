# GS-LoRA, faces, single step: forget 10 of 100 identities at once.
_base_ = './gs-lora_face-transformer_casia100_single-step-100-5.py'

train_dataloader = dict(
    dataset=dict(schedule=dict(first_num_classes=90, forget_per_task=10)))
